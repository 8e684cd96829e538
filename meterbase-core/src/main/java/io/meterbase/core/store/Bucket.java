package io.meterbase.core.store;

/** One point of a downsampled series: aggregates of the values in {@code [start, start + width)}. */
public record Bucket(long start, double avg, double min, double max, long count) {}
