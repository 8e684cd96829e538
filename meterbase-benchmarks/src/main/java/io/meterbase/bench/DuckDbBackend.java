package io.meterbase.bench;

import io.meterbase.app.MeterbaseConfig;
import io.meterbase.core.store.StorageStats;
import io.meterbase.store.duckdb.DuckDbOptions;
import io.meterbase.store.duckdb.DuckDbStore;
import java.nio.file.Path;

/** The embedded store, one data directory per store name. */
final class DuckDbBackend implements Backend {

    private final Path work;

    DuckDbBackend(Path work) {
        this.work = work;
    }

    @Override
    public MeterbaseConfig config(String name) {
        return MeterbaseConfig.defaults().with("data.dir", work.resolve(name).toString());
    }

    @Override
    public StorageStats stats(String name) {
        try (DuckDbStore store = DuckDbStore.open(DuckDbOptions.defaults(work.resolve(name)))) {
            store.checkpoint();
            System.out.println("  " + store.describeStorage());
            return store.stats();
        }
    }

    @Override
    public double rawAppends(String name, long rows) throws Exception {
        return IngestBenchmark.rawDuckDbAppends(work.resolve(name), rows);
    }

    @Override
    public String rawLabel() {
        return "DuckDB appends";
    }

    @Override
    public void close() {}
}
