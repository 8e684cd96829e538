package io.meterbase.formats.senml;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meterbase.core.ingest.DecodeContext;
import io.meterbase.core.ingest.DecodeException;
import io.meterbase.core.ingest.PayloadDecoder;
import io.meterbase.core.ingest.Upload;
import java.io.IOException;

/** SenML in JSON ({@code application/senml+json}, RFC 8428). */
public final class SenmlJsonDecoder implements PayloadDecoder {

    public static final String FORMAT = "senml-json";
    private final ObjectMapper mapper = new ObjectMapper();

    @Override
    public String format() {
        return FORMAT;
    }

    @Override
    public Upload decode(byte[] payload, DecodeContext context) throws DecodeException {
        try {
            return SenmlResolver.resolve(mapper.readTree(payload), context);
        } catch (JsonProcessingException e) {
            throw new DecodeException("malformed SenML JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new DecodeException("unreadable SenML JSON: " + e.getMessage());
        }
    }
}
