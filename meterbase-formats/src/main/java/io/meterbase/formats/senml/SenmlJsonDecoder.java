package io.meterbase.formats.senml;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.meterbase.core.ingest.DecodeContext;
import io.meterbase.core.ingest.DecodeException;
import io.meterbase.core.ingest.PayloadDecoder;
import io.meterbase.core.ingest.Upload;
import io.meterbase.formats.JsonPayloads;

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
        return SenmlResolver.resolve(JsonPayloads.tree(mapper, payload, "SenML"), context);
    }
}
