package io.meterbase.identity;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.meterbase.json.SnakeCaseJson;

/**
 * The JSON of identity's stored documents (accounts, grants, access logs), with Meterbase's conventions
 * ({@link SnakeCaseJson}).
 */
final class IdentityJson {

    public static final ObjectMapper MAPPER = SnakeCaseJson.mapper();

    private IdentityJson() {}

    public static String write(Object value) {
        return SnakeCaseJson.write(MAPPER, value);
    }

    /** Reads a value; malformed or invalid input is an {@link IllegalArgumentException} saying what is wrong. */
    public static <T> T read(String json, Class<T> type) {
        return SnakeCaseJson.read(MAPPER, json, type);
    }
}
