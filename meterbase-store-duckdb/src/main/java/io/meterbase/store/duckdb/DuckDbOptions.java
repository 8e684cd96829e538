package io.meterbase.store.duckdb;

import java.nio.file.Path;

/**
 * Settings of the embedded store: the data directory (one database file in it), DuckDB's memory limit (native
 * memory, outside the Java heap) and its thread count, the number of read connections, and the size of
 * write-ahead log after which DuckDB checkpoints.
 */
public record DuckDbOptions(
        Path dataDir, String memoryLimit, int threads, int readConnections, String checkpointThreshold) {

    public DuckDbOptions {
        if (dataDir == null) {
            throw new IllegalArgumentException("dataDir: must not be null");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads: must be positive, was " + threads);
        }
        if (readConnections < 1) {
            throw new IllegalArgumentException("readConnections: must be positive, was " + readConnections);
        }
    }

    /** How much write-ahead log DuckDB gathers before it checkpoints (fewer checkpoints compress better). */
    public static final String DEFAULT_CHECKPOINT_THRESHOLD = "256MB";

    public DuckDbOptions(Path dataDir, String memoryLimit, int threads, int readConnections) {
        this(dataDir, memoryLimit, threads, readConnections, DEFAULT_CHECKPOINT_THRESHOLD);
    }

    public static DuckDbOptions defaults(Path dataDir) {
        return new DuckDbOptions(dataDir, "1GB", 2, 4);
    }

    public Path databaseFile() {
        return dataDir.resolve("meterbase.duckdb");
    }
}
