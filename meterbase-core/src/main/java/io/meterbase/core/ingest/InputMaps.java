package io.meterbase.core.ingest;

/**
 * Each customer's own names for what their devices send, applied to a decoded upload before it is validated and
 * stored: for example emonhub's inputs ({@code solar}, {@code import}, {@code power1}) to quantities, channels and
 * devices. Kept in the store, so every node maps alike. Total: what a map does not name passes on unchanged, and
 * validation refuses it with the reason.
 */
public interface InputMaps {

    /** Maps nothing and keeps nothing. */
    InputMaps NONE = new InputMaps() {
        @Override
        public Upload map(long customerId, String format, Upload upload) {
            return upload;
        }

        @Override
        public java.util.Set<String> formats() {
            return java.util.Set.of();
        }

        @Override
        public String get(long customerId, String format) {
            throw new IllegalArgumentException("format '" + format + "' has no input map");
        }

        @Override
        public void put(long customerId, String format, String json) {
            throw new IllegalArgumentException("format '" + format + "' has no input map");
        }
    };

    /** The upload as the customer's map for {@code format} names it. */
    Upload map(long customerId, String format, Upload upload);

    /** The formats whose inputs can be mapped. */
    java.util.Set<String> formats();

    /**
     * The customer's map for {@code format} as JSON, with the built-in entries that apply after it.
     *
     * @throws IllegalArgumentException when the format has no input map
     */
    String get(long customerId, String format);

    /**
     * Replaces the customer's map for {@code format}.
     *
     * @throws IllegalArgumentException with the reason when the map is not valid (nothing is changed)
     */
    void put(long customerId, String format, String json);
}
