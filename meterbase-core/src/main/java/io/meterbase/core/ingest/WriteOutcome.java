package io.meterbase.core.ingest;

/** What a durable write did with one submission: readings newly stored, and re-sent ones that were stored before. */
public record WriteOutcome(int stored, int duplicates) {}
