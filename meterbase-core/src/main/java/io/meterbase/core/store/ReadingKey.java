package io.meterbase.core.store;

/** The identity of a reading: a channel and a timestamp in epoch milliseconds. */
public record ReadingKey(int channelId, long timestamp) {}
