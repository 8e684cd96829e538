package io.meterbase.formats.senml;

import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import io.meterbase.core.ingest.DecodeContext;
import io.meterbase.core.ingest.DecodeException;
import io.meterbase.core.ingest.PayloadDecoder;
import io.meterbase.core.ingest.Upload;
import java.io.IOException;
import java.util.List;

/** SenML in CBOR ({@code application/senml+cbor}, RFC 8428 section 6, integer labels). */
public final class SenmlCborDecoder implements PayloadDecoder {

    public static final String FORMAT = "senml-cbor";
    private final CBORMapper mapper = new CBORMapper();

    @Override
    public String format() {
        return FORMAT;
    }

    @Override
    public List<String> mediaTypes() {
        return List.of("application/senml+cbor");
    }

    @Override
    public Upload decode(byte[] payload, DecodeContext context) throws DecodeException {
        try {
            return SenmlResolver.resolve(mapper.readTree(payload), context);
        } catch (IOException e) {
            throw new DecodeException("malformed SenML CBOR: " + e.getMessage());
        }
    }
}
