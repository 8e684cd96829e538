package io.meterbase.bench;

import io.meterbase.app.MeterbaseConfig;
import io.meterbase.core.model.Reading;
import io.meterbase.core.store.StorageStats;
import io.meterbase.core.store.WriteBatch;
import io.meterbase.store.contract.PgCluster;
import io.meterbase.store.postgres.PostgresOptions;
import io.meterbase.store.postgres.PostgresStore;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** PostgreSQL in a throwaway cluster on loopback that the benchmark starts; one database per store name. */
final class PostgresBackend implements Backend {

    private final PgCluster cluster;

    PostgresBackend() throws Exception {
        cluster = PgCluster.start();
    }

    private PostgresOptions options(String name) {
        return new PostgresOptions(cluster.url(name), PgCluster.USER, PgCluster.PASSWORD, 8, true);
    }

    @Override
    public MeterbaseConfig config(String name) {
        cluster.createDatabase(name);
        return MeterbaseConfig.defaults()
                .with("store", "postgres")
                .with("store.postgres.url", cluster.url(name))
                .with("store.postgres.user", PgCluster.USER)
                .with("store.postgres.password", PgCluster.PASSWORD);
    }

    @Override
    public StorageStats stats(String name) {
        try (PostgresStore store = PostgresStore.open(options(name))) {
            return store.stats();
        }
    }

    @Override
    public java.util.Optional<io.meterbase.core.store.Compaction.Report> compact(String name) {
        try (PostgresStore store = PostgresStore.open(options(name))) {
            return store.compaction().map(c -> c.compact(Instant.now(), Duration.ofHours(1), line -> {}));
        }
    }

    /** The store's own COPY path, in batches of 100,000 readings, without HTTP or the pipeline. */
    @Override
    public double rawAppends(String name, long rows) {
        cluster.createDatabase(name);
        try (PostgresStore store = PostgresStore.open(options(name))) {
            return appendRate(store, rows);
        }
    }

    private static double appendRate(PostgresStore store, long rows) {
        long start = Instant.now().minus(Duration.ofDays(200)).toEpochMilli() / 1000 * 1000;
        long t0 = System.nanoTime();
        for (long done = 0; done < rows; ) {
            int n = (int) Math.min(100_000, rows - done);
            List<Reading> batch = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                long k = done + i;
                batch.add(new Reading(
                        (int) (k % 1000) + 1,
                        start + (k / 1000) * 1000,
                        Math.round((150 + 100 * Math.sin(k / 300_000.0)) * 10) / 10.0));
            }
            store.append(new WriteBatch(batch, List.of(), List.of()));
            done += n;
        }
        return rows / ((System.nanoTime() - t0) / 1e9);
    }

    @Override
    public String rawLabel() {
        return "PostgreSQL store COPY";
    }

    /**
     * The index decision, measured: COPY rate with the (channel_id, ts) B-tree and without it, and the time of
     * the per-channel read the pipeline and charts make (one channel, one hour).
     */
    @Override
    public void extra() throws Exception {
        long rows = 2_000_000;
        for (boolean btree : new boolean[] {true, false}) {
            String name = btree ? "idx_btree" : "idx_brin_only";
            cluster.createDatabase(name);
            try (PostgresStore store = PostgresStore.open(options(name))) {
                if (!btree) {
                    try (Connection c =
                                    DriverManager.getConnection(cluster.url(name), PgCluster.USER, PgCluster.PASSWORD);
                            Statement s = c.createStatement()) {
                        s.execute("DROP INDEX readings_channel_ts");
                    }
                }
                double rate = appendRate(store, rows);
                double[] ms = new double[50];
                try (Connection c =
                        DriverManager.getConnection(cluster.url(name), PgCluster.USER, PgCluster.PASSWORD)) {
                    try (Statement s = c.createStatement()) {
                        s.execute("VACUUM ANALYZE readings");
                    }
                    java.time.OffsetDateTime first;
                    try (ResultSet rs = c.createStatement().executeQuery("SELECT min(ts) FROM readings")) {
                        rs.next();
                        first = rs.getObject(1, java.time.OffsetDateTime.class);
                    }
                    PreparedStatement ps = c.prepareStatement("SELECT count(*), avg(value) FROM readings"
                            + " WHERE channel_id = ? AND ts >= ? AND ts < ?");
                    for (int i = 0; i < ms.length; i++) {
                        ps.setInt(1, 1 + i * 17 % 1000);
                        ps.setObject(2, first.plusMinutes(10));
                        ps.setObject(3, first.plusMinutes(20));
                        long t0 = System.nanoTime();
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                        }
                        ms[i] = (System.nanoTime() - t0) / 1e6;
                    }
                }
                Arrays.sort(ms);
                StorageStats stats = store.stats();
                System.out.printf(
                        "index %-26s COPY %,.0f readings/s; one channel, 10 minutes, read p50 %.2f ms; %.1f bytes/reading%n",
                        btree ? "(channel_id, ts) + BRIN(ts):" : "BRIN(ts) only:",
                        rate,
                        ms[ms.length / 2],
                        stats.bytesPerReading());
            }
        }
    }

    @Override
    public void close() throws java.io.IOException {
        cluster.close();
    }
}
