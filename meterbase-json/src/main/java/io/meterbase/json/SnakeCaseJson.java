package io.meterbase.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.EnumFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * Meterbase's JSON: snake_case names, ISO-8601 dates and times, lower-case enum names (read in any case), unknown
 * properties refused. Each user makes its own mapper ({@link #mapper()}), so that the API's shape and a stored
 * document's can change apart.
 */
public final class SnakeCaseJson {

    private SnakeCaseJson() {}

    /** A new mapper with Meterbase's conventions. */
    public static ObjectMapper mapper() {
        return JsonMapper.builder()
                .addModule(new JavaTimeModule())
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
                .enable(EnumFeature.WRITE_ENUMS_TO_LOWERCASE)
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .build();
    }

    /** Writes a value; a value the mapper cannot write is a bug, not input, so it is an {@link IllegalStateException}. */
    public static String write(ObjectMapper mapper, Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName(), e);
        }
    }

    /** Reads a value; malformed or invalid input is an {@link IllegalArgumentException} saying what is wrong. */
    public static <T> T read(ObjectMapper mapper, String json, Class<T> type) {
        try {
            return mapper.readValue(json, type);
        } catch (JsonProcessingException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IllegalArgumentException iae) {
                throw iae;
            }
            throw new IllegalArgumentException(describe(e), e);
        }
    }

    /**
     * What is wrong with a JSON input, for the sender: where and what, in the API's words (field names as sent,
     * kinds of value), never the server's class names.
     */
    public static String describe(JsonProcessingException e) {
        if (e instanceof com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException u) {
            return "unknown field '" + u.getPropertyName() + "'" + at(u);
        }
        if (e instanceof com.fasterxml.jackson.databind.exc.InvalidFormatException f) {
            return "'" + f.getValue() + "' is not " + kind(f.getTargetType()) + at(f);
        }
        if (e instanceof com.fasterxml.jackson.databind.exc.MismatchedInputException m) {
            return (m.getPath().isEmpty() ? "the body" : "a value") + " of the wrong kind: expected "
                    + kind(m.getTargetType()) + at(m);
        }
        if (e instanceof com.fasterxml.jackson.databind.JsonMappingException m
                && !m.getPath().isEmpty()) {
            return "a value that cannot be taken" + at(m);
        }
        com.fasterxml.jackson.core.JsonLocation where = e.getLocation();
        return "malformed JSON"
                + (where == null ? "" : " at line " + where.getLineNr() + ", column " + where.getColumnNr());
    }

    /** " at 'a.b[2]'": the field path of a mapping error, as sent. */
    private static String at(com.fasterxml.jackson.databind.JsonMappingException m) {
        StringBuilder path = new StringBuilder();
        for (com.fasterxml.jackson.databind.JsonMappingException.Reference r : m.getPath()) {
            if (r.getFieldName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                path.append('[').append(r.getIndex()).append(']');
            }
        }
        return path.isEmpty() ? "" : " at '" + path + "'";
    }

    /** The kind of value a type takes, in words. */
    private static String kind(Class<?> type) {
        if (type == null) {
            return "another kind of value";
        }
        if (type == String.class || type == Character.class || type == char.class) {
            return "a text";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "a whole number";
        }
        if (Number.class.isAssignableFrom(type) || type.isPrimitive()) {
            return "a number";
        }
        if (type.isEnum()) {
            return "one of "
                    + java.util.Arrays.stream(type.getEnumConstants())
                            .map(c -> ((Enum<?>) c).name().toLowerCase(java.util.Locale.ROOT))
                            .toList();
        }
        if (type.isArray() || java.util.Collection.class.isAssignableFrom(type)) {
            return "a list";
        }
        if (java.time.temporal.Temporal.class.isAssignableFrom(type)) {
            return "an ISO-8601 date or time";
        }
        if (java.time.temporal.TemporalAmount.class.isAssignableFrom(type)) {
            return "an ISO-8601 duration";
        }
        return "an object";
    }
}
