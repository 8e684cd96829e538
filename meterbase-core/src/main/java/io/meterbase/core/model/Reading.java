package io.meterbase.core.model;

/**
 * One stored value of one channel: the compact form that flows through the pipeline and into the store. The value
 * is in the channel quantity's canonical unit; the timestamp is in epoch milliseconds (UTC).
 */
public record Reading(int channelId, long timestamp, double value, Quality quality) {

    public Reading {
        if (channelId <= 0) {
            throw new IllegalArgumentException("channelId: must be positive, was " + channelId);
        }
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("value: must be finite, was " + value);
        }
        if (quality == null) {
            throw new IllegalArgumentException("quality: must not be null");
        }
    }

    public Reading(int channelId, long timestamp, double value) {
        this(channelId, timestamp, value, Quality.GOOD);
    }
}
