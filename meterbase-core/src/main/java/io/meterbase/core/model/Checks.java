package io.meterbase.core.model;

/** Argument checks for value objects; each failure names the parameter. */
public final class Checks {

    private Checks() {}

    public static void positive(long value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + ": must be positive, was " + value);
        }
    }

    public static String notBlank(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + ": must not be blank");
        }
        return value;
    }

    public static <T> T notNull(T value, String name) {
        if (value == null) {
            throw new IllegalArgumentException(name + ": must not be null");
        }
        return value;
    }
}
