package io.meterbase.core.ingest;

/** One refused reading of an upload: where it was (node and position in the node's list), why, in words. */
public record Rejection(String node, int index, RejectReason reason, String detail) {}
