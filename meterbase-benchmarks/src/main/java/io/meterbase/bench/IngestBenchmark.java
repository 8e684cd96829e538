package io.meterbase.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meterbase.app.Meterbase;
import io.meterbase.app.MeterbaseConfig;
import io.meterbase.core.model.Role;
import io.meterbase.core.store.StorageStats;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * Measures, in one run on this machine: raw DuckDB appends; durable end-to-end ingest over HTTP batches through
 * the whole pipeline (decode, validate, group commit, acknowledge), as readings/s and as a ratio to the raw
 * appends; bytes on disk per reading; and chart latency for one year of 1-minute data of one channel downsampled
 * to at most 2,000 points. The load generator runs on the same cores as the server.
 */
public final class IngestBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final int NODES_PER_BATCH = 100;
    private static final int READINGS_PER_NODE = 100;
    private static final int PER_BATCH = NODES_PER_BATCH * READINGS_PER_NODE;

    public static void main(String[] args) throws Exception {
        int batches = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        int clients = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        String storeName = args.length > 3 ? args[3] : "duckdb";
        Path work = Files.createTempDirectory("meterbase-bench");
        try (Backend backend = storeName.equals("postgres") ? new PostgresBackend() : new DuckDbBackend(work)) {
            System.out.printf(
                    "Meterbase ingest benchmark: %d batches x %d readings, %d HTTP clients, %d rounds, %d cores, Java %s%n",
                    batches, PER_BATCH, clients, rounds, Runtime.getRuntime().availableProcessors(), Runtime.version());
            List<byte[]> bodies = bodies(batches);
            long total = (long) batches * PER_BATCH;
            double[] raw = new double[rounds];
            double[] pipeline = new double[rounds];
            double[] bytes = new double[rounds];
            double[] packedBytes = new double[rounds];
            double[] packRate = new double[rounds];
            boolean packs = false;
            for (int r = 0; r < rounds; r++) {
                raw[r] = backend.rawAppends("raw" + r, total);
                Result res = pipeline(backend, "pipeline" + r, bodies, clients);
                pipeline[r] = res.perSecond;
                bytes[r] = res.bytesPerReading;
                System.out.printf(
                        "round %d: raw " + backend.rawLabel()
                                + " %,.0f rows/s; pipeline over HTTP %,.0f readings/s durable"
                                + " (%.2f of raw); %.2f bytes/reading; upload round trip p50 %.0f ms, p99 %.0f ms%n",
                        r + 1,
                        raw[r],
                        pipeline[r],
                        pipeline[r] / raw[r],
                        res.bytesPerReading,
                        res.p50Millis,
                        res.p99Millis);
                var packed = backend.compact("pipeline" + r);
                if (packed.isPresent()) {
                    packs = true;
                    packRate[r] = packed.get().readingsPerSecond();
                    packedBytes[r] = backend.stats("pipeline" + r).bytesPerReading();
                    System.out.printf(
                            "round %d: compaction %,d readings in %.1f s: %,.0f readings/s; %.2f bytes/reading after%n",
                            r + 1,
                            packed.get().readings(),
                            packed.get().millis() / 1000.0,
                            packRate[r],
                            packedBytes[r]);
                }
            }
            double rawMedian = median(raw);
            double pipeMedian = median(pipeline);
            System.out.printf(
                    "%nmedian: raw %,.0f rows/s; pipeline %,.0f readings/s; ratio %.2f; %.2f bytes/reading%n",
                    rawMedian, pipeMedian, pipeMedian / rawMedian, median(bytes));
            if (packs) {
                System.out.printf(
                        "median after compaction: %.2f bytes/reading; compaction %,.0f readings/s%n",
                        median(packedBytes), median(packRate));
                demoPlugs(backend);
            }
            backend.extra();
            chart(backend, "chart");
        } finally {
            if (System.getenv("MB_BENCH_KEEP") == null) {
                deleteTree(work);
            } else {
                System.out.println("kept " + work);
            }
        }
    }

    /** Upload bodies: each with 100 nodes x 100 one-second readings, all timestamps distinct per node. */
    static List<byte[]> bodies(int batches) {
        List<byte[]> out = new ArrayList<>(batches);
        long start = Instant.now().minus(Duration.ofDays(200)).toEpochMilli() / 1000 * 1000;
        int nodes = 1000;
        int groups = nodes / NODES_PER_BATCH;
        for (int b = 0; b < batches; b++) {
            int group = b % groups;
            long t0 = start + (long) (b / groups) * READINGS_PER_NODE * 1000;
            ObjectNode upload = JSON.createObjectNode().put("gateway", "gw-bench");
            ArrayNode list = upload.putArray("nodes");
            for (int n = 0; n < NODES_PER_BATCH; n++) {
                int node = group * NODES_PER_BATCH + n;
                ArrayNode readings = list.addObject().put("id", "node-" + node).putArray("readings");
                for (int i = 0; i < READINGS_PER_NODE; i++) {
                    long ts = t0 + i * 1000L;
                    double watts = 150 + 100 * Math.sin((ts / 1000 + node * 37) / 300.0) + (i % 7) * 0.1;
                    Payloads.power(readings, ts, watts);
                }
            }
            out.add(Payloads.bytes(upload));
        }
        return out;
    }

    /** DuckDB's appender straight into a table of the same shape, committing every 100,000 rows. */
    static double rawDuckDbAppends(Path dir, long rows) throws Exception {
        Files.createDirectories(dir);
        long start = Instant.now().minus(Duration.ofDays(200)).toEpochMilli();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("raw.duckdb"))) {
            try (Statement s = c.createStatement()) {
                s.execute("SET threads = 2");
                s.execute("CREATE TABLE r (channel_id INTEGER, ts BIGINT, value DOUBLE, quality UTINYINT)");
            }
            long t0 = System.nanoTime();
            long done = 0;
            while (done < rows) {
                long n = Math.min(100_000, rows - done);
                try (DuckDBAppender a = ((DuckDBConnection) c).createAppender("main", "r")) {
                    for (long i = 0; i < n; i++) {
                        long k = done + i;
                        a.beginRow();
                        a.append((int) (k % 1000) + 1);
                        a.append(start + (k / 1000) * 1000);
                        a.append(Math.round((150 + 100 * Math.sin(k / 300_000.0)) * 10) / 10.0);
                        a.append((byte) 0);
                        a.endRow();
                    }
                }
                done += n;
            }
            return rows / ((System.nanoTime() - t0) / 1e9);
        }
    }

    record Result(double perSecond, double bytesPerReading, double p50Millis, double p99Millis) {}

    /** Round-trip times of uploads, from sending to the durable acknowledgement. */
    static final class Latencies {
        private final List<Double> millis = Collections.synchronizedList(new ArrayList<>());

        void add(long nanos) {
            millis.add(nanos / 1e6);
        }

        double percentile(double p) {
            List<Double> sorted = new ArrayList<>(millis);
            Collections.sort(sorted);
            return sorted.isEmpty() ? 0 : sorted.get((int) Math.min(sorted.size() - 1, p * sorted.size()));
        }
    }

    static Result pipeline(Backend backend, String name, List<byte[]> bodies, int clients) throws Exception {
        long readings = (long) bodies.size() * PER_BATCH;
        double perSecond;
        Latencies latencies = new Latencies();
        try (Meterbase server = startServer(backend.config(name))) {
            String key = customerKey(server, "bench");
            URI uri = URI.create("http://127.0.0.1:" + server.httpPort() + "/api/v1/upload");
            HttpClient http =
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            // warm-up: registers the 1,000 devices and their channels, and warms the JIT
            send(http, uri, key, bodies.subList(0, 10), 2, new Latencies());
            AtomicInteger refused = new AtomicInteger();
            long t0 = System.nanoTime();
            refused.addAndGet(send(http, uri, key, bodies.subList(10, bodies.size()), clients, latencies));
            double secs = (System.nanoTime() - t0) / 1e9;
            perSecond = (readings - 10L * PER_BATCH) / secs;
            if (refused.get() > 0) {
                System.out.printf("  (%d uploads answered 503 and were sent again)%n", refused.get());
            }
        }
        StorageStats stats = backend.stats(name);
        if (stats.readings() != readings) {
            throw new IllegalStateException("stored " + stats.readings() + " readings, sent " + readings);
        }
        return new Result(perSecond, stats.bytesPerReading(), latencies.percentile(0.5), latencies.percentile(0.99));
    }

    /** Sends every body once over {@code clients} connections; 503 answers are retried. Returns how many 503s. */
    static int send(HttpClient http, URI uri, String key, List<byte[]> bodies, int clients, Latencies latencies)
            throws Exception {
        AtomicInteger next = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<?>> futures = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            futures.add(pool.submit(() -> {
                int i;
                while ((i = next.getAndIncrement()) < bodies.size()) {
                    HttpRequest req = HttpRequest.newBuilder(uri)
                            .header("Authorization", "Bearer " + key)
                            .POST(HttpRequest.BodyPublishers.ofByteArray(bodies.get(i)))
                            .build();
                    while (true) {
                        long sent = System.nanoTime();
                        HttpResponse<String> res = http.send(req, HttpResponse.BodyHandlers.ofString());
                        latencies.add(System.nanoTime() - sent);
                        if (res.statusCode() == 200) {
                            break;
                        }
                        if (res.statusCode() != 503) {
                            throw new IllegalStateException("upload answered " + res.statusCode() + ": " + res.body());
                        }
                        refused.incrementAndGet();
                        Thread.sleep(50);
                    }
                }
                return null;
            }));
        }
        try {
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return refused.get();
    }

    /**
     * The demo's plug data, noisier than the benchmark's: 20 simulated homes (plugs with power, voltage, current,
     * power factor and energy; grid meters; solar panels and batteries) for two closed days of 1-minute readings,
     * through the pipeline; bytes per reading before and after the days are packed.
     */
    static void demoPlugs(Backend backend) throws Exception {
        String name = "demo_plugs";
        long end = (Instant.now().toEpochMilli() / 86_400_000L - 2) * 86_400_000L;
        long start = end - 2 * 86_400_000L;
        try (Meterbase server = startServer(backend.config(name))) {
            URI uri = URI.create("http://127.0.0.1:" + server.httpPort() + "/api/v1/upload");
            HttpClient http =
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            for (int h = 1; h <= 20; h++) {
                // each home its own customer, as in the demo: their plugs share names
                String key = customerKey(server, "home" + h);
                io.meterbase.simulator.Home home =
                        new io.meterbase.simulator.Home(h, ZoneId.of("UTC"), io.meterbase.simulator.Home.hasPanels(h));
                List<byte[]> bodies = new ArrayList<>();
                for (long t = start; t < end; t += 3_600_000L) {
                    bodies.add(home.upload(t, 60, 60_000L).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                }
                send(http, uri, key, bodies, 4, new Latencies());
            }
        }
        StorageStats before = backend.stats(name);
        var packed = backend.compact(name).orElseThrow();
        StorageStats after = backend.stats(name);
        System.out.printf(
                "demo plug data (20 homes, two days of 1-minute readings, %,d readings): %.2f bytes/reading raw,"
                        + " %.2f after compaction; compaction %,.0f readings/s%n",
                after.readings(), before.bytesPerReading(), after.bytesPerReading(), packed.readingsPerSecond());
        if (after.readings() != before.readings()) {
            throw new IllegalStateException("compaction changed the count: " + before + " -> " + after);
        }
    }

    /** One year of 1-minute data of one channel; chart queries of the whole year at <= 2,000 points. */
    static void chart(Backend backend, String name) throws Exception {
        try (Meterbase server = startServer(backend.config(name))) {
            String key = customerKey(server, "chart");
            URI upload = URI.create("http://127.0.0.1:" + server.httpPort() + "/api/v1/upload");
            HttpClient http =
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            long end = Instant.now().toEpochMilli() / 60_000 * 60_000;
            long start = end - 365L * 24 * 3_600_000;
            List<byte[]> year = new ArrayList<>();
            for (long t = start; t < end; t += 10_000L * 60_000) {
                ObjectNode body = JSON.createObjectNode();
                ArrayNode readings =
                        body.putArray("nodes").addObject().put("id", "meter").putArray("readings");
                for (long ts = t; ts < Math.min(end, t + 10_000L * 60_000); ts += 60_000) {
                    double w = 400 + 300 * Math.sin(ts / 3_600_000.0 * Math.PI / 12) + (ts / 60_000 % 13);
                    Payloads.power(readings, ts, w);
                }
                year.add(Payloads.bytes(body));
            }
            send(http, upload, key, year, 1, new Latencies());
            int channel = server.registry().allChannels().get(0).id();
            // wait until the rollups cover the year
            long deadline = System.currentTimeMillis() + 120_000;
            while (server.store()
                            .readings()
                            .hourly(List.of(channel), start, end)
                            .size()
                    < 365 * 24 - 1) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("rollups did not catch up");
                }
                Thread.sleep(100);
            }
            URI query = URI.create("http://127.0.0.1:" + server.httpPort() + "/api/v1/channels/" + channel
                    + "/history?points=2000&from=" + start + "&to=" + end);
            long dayFrom = (end / 86_400_000L - 30) * 86_400_000L;
            URI day = URI.create("http://127.0.0.1:" + server.httpPort() + "/api/v1/channels/" + channel
                    + "/history?points=2000&from=" + dayFrom + "&to=" + (dayFrom + 86_400_000L));
            String readings = String.valueOf(year.size() > 0 ? (end - start) / 60_000 : 0);
            chartLatency(
                    http, query, key, "chart: one year of 1-minute data (" + readings + " readings) of one channel");
            chartLatency(http, day, key, "chart: one day of it, 30 days ago, at full resolution");
            var compaction = server.store().compaction();
            if (compaction.isPresent()) {
                var r = compaction.get().compact(Instant.now(), Duration.ofHours(1), line -> {});
                System.out.printf(
                        "chart data packed: %,d readings in %.1f s (%,.0f readings/s); %.2f bytes/reading now%n",
                        r.readings(),
                        r.millis() / 1000.0,
                        r.readingsPerSecond(),
                        server.store().readings().stats().bytesPerReading());
                chartLatency(http, query, key, "after compaction, the year");
                chartLatency(http, day, key, "after compaction, one day at full resolution");
            }
        }
    }

    private static void chartLatency(HttpClient http, URI query, String key, String what) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(query)
                .header("Authorization", "Bearer " + key)
                .build();
        int points = 0;
        for (int i = 0; i < 50; i++) {
            http.send(req, HttpResponse.BodyHandlers.ofString());
        }
        double[] ms = new double[200];
        for (int i = 0; i < ms.length; i++) {
            long t0 = System.nanoTime();
            HttpResponse<String> res = http.send(req, HttpResponse.BodyHandlers.ofString());
            ms[i] = (System.nanoTime() - t0) / 1e6;
            if (res.statusCode() != 200) {
                throw new IllegalStateException("history answered " + res.statusCode());
            }
            points = res.body().split("\\],\\[").length;
        }
        Arrays.sort(ms);
        System.out.printf(
                "%s, %d points per answer over HTTP: p50 %.1f ms, p99 %.1f ms%n",
                what, points, ms[ms.length / 2], ms[(int) (ms.length * 0.99)]);
    }

    /**
     * A server with the backend's store on a free port, taking bodies up to 64 MiB, with its rate limits off: one
     * key sends everything, and the benchmark measures what the pipeline can take, not what a key is allowed.
     */
    static Meterbase startServer(MeterbaseConfig store) {
        MeterbaseConfig config = store.with("http.port", "0")
                .with("http.max-body-bytes", String.valueOf(64 << 20))
                .with("ingest.rate-limit.readings-per-second", "0")
                .with("ingest.rate-limit.customer-readings-per-second", "0");
        return Meterbase.start(config, Clock.systemUTC());
    }

    /** A new customer's key. */
    static String customerKey(Meterbase server, String name) {
        long customer = server.registry()
                .createCustomer(name, name, null, null, name, ZoneId.of("UTC"))
                .id();
        return server.registry().createKey(customer, Role.CUSTOMER, name).secret();
    }

    static double median(double[] values) {
        double[] copy = values.clone();
        Arrays.sort(copy);
        return copy[copy.length / 2];
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
