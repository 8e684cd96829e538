package io.meterbase.bench;

import io.meterbase.app.MeterbaseConfig;
import io.meterbase.core.store.StorageStats;

/** The store a benchmark runs against: how to configure a server on a fresh store, and how to measure it. */
interface Backend extends AutoCloseable {

    /** Server settings for a fresh, empty store called {@code name}. */
    MeterbaseConfig config(String name);

    /** Readings and bytes of the store {@code name}, after the server on it has stopped. */
    StorageStats stats(String name) throws Exception;

    /** Rows per second written straight into a fresh store of the same kind, without HTTP or the pipeline. */
    double rawAppends(String name, long rows) throws Exception;

    String rawLabel();

    /** Packs the closed days of the store {@code name} when its kind does (PostgreSQL); empty otherwise. */
    default java.util.Optional<io.meterbase.core.store.Compaction.Report> compact(String name) throws Exception {
        return java.util.Optional.empty();
    }

    /** Measurements only this backend has. */
    default void extra() throws Exception {}

    @Override
    void close() throws java.io.IOException;
}
