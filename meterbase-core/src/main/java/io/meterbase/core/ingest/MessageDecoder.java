package io.meterbase.core.ingest;

import java.util.List;

/**
 * Reads the bytes of one format into what a device said. Implementations are stateless and thread-safe and are
 * total: they never throw anything but {@link DecodeException} for bad input. A format says where transports find
 * it without being told its name, so registering the decoder is all that adding a format takes: the MQTT topics it
 * comes on, the media types it is sent as (CoAP Content-Format, HTTP Content-Type), and how to tell its payloads
 * from another format's on a topic or media type they share.
 */
public interface MessageDecoder {

    /** The format name this decoder is registered under, e.g. {@code meterbase-json}. */
    String format();

    /**
     * Decodes a payload; the context supplies the sender's device, the receipt time and what the transport knows
     * besides (topic levels, request fields).
     */
    DeviceMessage decode(byte[] payload, DecodeContext context) throws DecodeException;

    /**
     * The MQTT topics this format comes on, as patterns (see {@link TopicPattern}): e.g. {@code tele/{device}/SENSOR};
     * {@code {device}} names the device, other names are handed to the decoder as fields.
     */
    default List<String> topics() {
        return List.of();
    }

    /** The media types this format is sent as, e.g. {@code application/senml+json}. */
    default List<String> mediaTypes() {
        return List.of();
    }

    /**
     * Whether a payload is recognisably of this format, where several formats share a topic or media type. When
     * none recognises it, the first registered of them decodes it (and says what is wrong with it).
     */
    default boolean recognises(byte[] payload) {
        return false;
    }

    /** The first byte of a payload that is not white space, or -1: what JSON formats are told apart by. */
    static int firstNonSpace(byte[] payload) {
        for (byte b : payload) {
            if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
                return b;
            }
        }
        return -1;
    }
}
