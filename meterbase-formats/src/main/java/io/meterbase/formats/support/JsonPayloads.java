package io.meterbase.formats.support;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meterbase.core.ingest.DecodeException;
import java.io.IOException;

/** Reading a JSON payload into a tree, with decode errors that name the format. */
public final class JsonPayloads {

    private JsonPayloads() {}

    public static JsonNode tree(ObjectMapper mapper, byte[] payload, String format) throws DecodeException {
        try {
            return mapper.readTree(payload);
        } catch (JsonProcessingException e) {
            throw new DecodeException("malformed " + format + " JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new DecodeException("unreadable " + format + " payload: " + e.getMessage());
        }
    }
}
