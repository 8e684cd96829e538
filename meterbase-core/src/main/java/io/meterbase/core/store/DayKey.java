package io.meterbase.core.store;

/** A channel's local day, as the half-open instant range {@code [start, end)} in epoch milliseconds. */
public record DayKey(int channelId, long start, long end) {}
