package io.meterbase.transport.coap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/** JSON of the CoAP answers. */
final class CoapJson {

    static final ObjectMapper MAPPER = new ObjectMapper();

    private CoapJson() {}

    static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
