package io.meterbase.services.json;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.meterbase.json.SnakeCaseJson;

/**
 * The JSON of the services' stored documents (tariffs, commands, schedules, programs, alarms…), with Meterbase's
 * conventions ({@link SnakeCaseJson}). The HTTP API has a mapper of its own.
 */
public final class ControlJson {

    public static final ObjectMapper MAPPER = SnakeCaseJson.mapper();

    private ControlJson() {}

    public static String write(Object value) {
        return SnakeCaseJson.write(MAPPER, value);
    }

    /** Reads a value; malformed or invalid input is an {@link IllegalArgumentException} saying what is wrong. */
    public static <T> T read(String json, Class<T> type) {
        return SnakeCaseJson.read(MAPPER, json, type);
    }
}
