package io.meterbase.core.ingest;

/**
 * Turns the bytes of one payload format into an {@link Upload}. Implementations are stateless and thread-safe;
 * they never throw anything but {@link DecodeException} for bad input.
 */
public interface PayloadDecoder {

    /** The format name this decoder is registered under, e.g. {@code meterbase-json}. */
    String format();

    Upload decode(byte[] payload) throws DecodeException;
}
