package io.meterbase.core.ingest;

/**
 * How a transport says which format a payload is in: by its name (HTTP {@code ?format=}, a fixed endpoint), by
 * the MQTT topic it came on, or by its media type (CoAP Content-Format). {@link FormatRegistry#route} turns each
 * into a decoder with the same rules for every transport.
 */
public sealed interface Via {

    record Format(String name) implements Via {}

    record Topic(String topic) implements Via {}

    record MediaType(String type) implements Via {}

    static Via format(String name) {
        return new Format(name);
    }

    static Via topic(String topic) {
        return new Topic(topic);
    }

    static Via mediaType(String type) {
        return new MediaType(type);
    }
}
