package io.meterbase.core.ingest;

/** A format that carries readings: it decodes into an {@link Upload}. */
public interface PayloadDecoder extends MessageDecoder {

    /** Decodes a payload; the context supplies the sender's device and the receipt time where the format needs them. */
    @Override
    Upload decode(byte[] payload, DecodeContext context) throws DecodeException;
}
