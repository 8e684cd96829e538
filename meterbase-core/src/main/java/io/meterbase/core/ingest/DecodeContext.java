package io.meterbase.core.ingest;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What a transport knows about a payload besides its bytes: the device it came from when the channel says so (an
 * MQTT topic such as {@code tele/<device>/SENSOR}, a URL parameter, a DTLS identity), when it was received (epoch
 * ms), which gives relative and missing times their meaning, and other named fields (the levels a topic pattern
 * binds, such as emonhub's input name, and the topic itself as {@code topic}).
 */
public record DecodeContext(@Nullable String deviceRef, long receivedAt, Map<String, String> fields) {

    public DecodeContext {
        fields = Map.copyOf(fields);
    }

    public DecodeContext(@Nullable String deviceRef, long receivedAt) {
        this(deviceRef, receivedAt, Map.of());
    }

    public static DecodeContext at(long receivedAt) {
        return new DecodeContext(null, receivedAt);
    }

    /** A field the transport supplied, or null. */
    public @Nullable String field(String name) {
        return fields.get(name);
    }
}
