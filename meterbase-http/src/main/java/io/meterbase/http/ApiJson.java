package io.meterbase.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.meterbase.json.SnakeCaseJson;

/**
 * The JSON of the HTTP API, requests and answers, with Meterbase's conventions ({@link SnakeCaseJson}). The
 * services and identity keep their stored documents with mappers of their own, so the shapes can change apart.
 */
final class ApiJson {

    public static final ObjectMapper MAPPER = SnakeCaseJson.mapper();

    private ApiJson() {}

    public static String write(Object value) {
        return SnakeCaseJson.write(MAPPER, value);
    }

    /** Reads a value; malformed or invalid input is an {@link IllegalArgumentException} saying what is wrong. */
    public static <T> T read(String json, Class<T> type) {
        return SnakeCaseJson.read(MAPPER, json, type);
    }
}
