package io.meterbase.core.ingest;

/**
 * Turns the bytes of one payload format into an {@link Upload}. Implementations are stateless and thread-safe;
 * they never throw anything but {@link DecodeException} for bad input.
 */
public interface PayloadDecoder {

    /** The format name this decoder is registered under, e.g. {@code meterbase-json}. */
    String format();

    /** Decodes a payload; the context supplies the sender's device and the receipt time where the format needs them. */
    Upload decode(byte[] payload, DecodeContext context) throws DecodeException;
}
