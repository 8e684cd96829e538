package io.meterbase.formats.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meterbase.core.ingest.DecodeException;
import io.meterbase.core.ingest.MessageDecoder;
import java.util.List;

/**
 * What the JSON formats share: their name, the MQTT topics they come on, and reading a payload into a tree with
 * refusals that name the format.
 */
public abstract class JsonDecoder implements MessageDecoder {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final String format;
    private final String what;
    private final List<String> topics;

    /**
     * @param what how refusals name the payload, e.g. {@code Tasmota} in "malformed Tasmota JSON: ..."
     */
    protected JsonDecoder(String format, String what, String... topics) {
        this.format = format;
        this.what = what;
        this.topics = List.of(topics);
    }

    @Override
    public final String format() {
        return format;
    }

    @Override
    public final List<String> topics() {
        return topics;
    }

    /** The payload as a JSON tree, or a {@link DecodeException} that says what is wrong with it. */
    protected final JsonNode tree(byte[] payload) throws DecodeException {
        return JsonPayloads.tree(MAPPER, payload, what);
    }
}
