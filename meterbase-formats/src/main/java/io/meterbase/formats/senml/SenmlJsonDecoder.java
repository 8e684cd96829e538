package io.meterbase.formats.senml;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.meterbase.core.ingest.DecodeContext;
import io.meterbase.core.ingest.DecodeException;
import io.meterbase.core.ingest.MessageDecoder;
import io.meterbase.core.ingest.PayloadDecoder;
import io.meterbase.core.ingest.Upload;
import io.meterbase.formats.json.MeterbaseJsonDecoder;
import io.meterbase.formats.support.JsonPayloads;
import java.util.List;

/** SenML in JSON ({@code application/senml+json}, RFC 8428). */
public final class SenmlJsonDecoder implements PayloadDecoder {

    public static final String FORMAT = "senml-json";
    private final ObjectMapper mapper = new ObjectMapper();

    @Override
    public String format() {
        return FORMAT;
    }

    @Override
    public List<String> topics() {
        return List.of(MeterbaseJsonDecoder.TOPIC);
    }

    /** Also sent as plain {@code application/json}, told apart from Meterbase JSON by being an array. */
    @Override
    public List<String> mediaTypes() {
        return List.of("application/senml+json", "application/json");
    }

    /** A SenML pack is an array. */
    @Override
    public boolean recognises(byte[] payload) {
        return MessageDecoder.firstNonSpace(payload) == '[';
    }

    @Override
    public Upload decode(byte[] payload, DecodeContext context) throws DecodeException {
        return SenmlResolver.resolve(JsonPayloads.tree(mapper, payload, "SenML"), context);
    }
}
