package io.meterbase.core.ingest;

/**
 * What a transport knows about a payload besides its bytes: the device it came from when the channel says so (an
 * MQTT topic such as {@code tele/<device>/SENSOR}, a URL parameter), and when it was received (epoch ms), which
 * gives relative and missing times their meaning.
 */
public record DecodeContext(String deviceRef, long receivedAt) {

    public static DecodeContext at(long receivedAt) {
        return new DecodeContext(null, receivedAt);
    }
}
