package io.meterbase.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meterbase.app.MeterbaseCli;
import io.meterbase.store.contract.PgCluster;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;

/**
 * Durable readings a second with 1, 2 and 3 Meterbase nodes ({@code serve} processes) on one PostgreSQL, each node
 * held to the same CPU share by a cgroup CPU quota (PostgreSQL and the load generator outside it), uploads spread
 * over the nodes round robin; scaling efficiency E(n) = T(n) / (n T(1)); PostgreSQL's own COPY rate (the ceiling)
 * measured in the same run; the 99th percentile of the acknowledgement time; and, with three nodes behind HAProxy
 * (when installed), how long uploads fail after one node is killed with SIGKILL. Every acknowledged reading is
 * checked to be stored, once. Only ever sends to 127.0.0.1.
 *
 * <p>Arguments: {@code [seconds per round=15] [rounds=3] [cpu quota per node=0.5] [clients=8]}
 */
public final class ClusterBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonFactory FACTORY = new JsonFactory();
    private static final int METERS = 100;
    private static final int PER_METER = 10;
    private static final int BATCH = METERS * PER_METER;
    private static final Path CGROUP = Path.of("/sys/fs/cgroup/cpu");

    private ClusterBenchmark() {}

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        double quota = args.length > 2 ? Double.parseDouble(args[2]) : 0.5;
        int clients = args.length > 3 ? Integer.parseInt(args[3]) : 8;
        Path work = Files.createTempDirectory("meterbase-bench-cluster");
        boolean quotas = Files.isWritable(CGROUP);
        System.out.printf(
                "cluster benchmark: %d s x %d rounds, %d clients, batches of %,d readings, CPU quota per node %s%n",
                seconds,
                rounds,
                clients,
                BATCH,
                quotas ? quota + " CPU (cgroup cpu.cfs_quota_us)" : "none (no writable cgroup: nodes unbounded)");
        PostgresBackend pg = new PostgresBackend();
        try {
            double ceiling = pg.rawAppends("ceiling", 2_000_000);
            System.out.printf(
                    "PostgreSQL COPY ceiling (the store's own COPY path, no HTTP): %,.0f readings/s%n", ceiling);
            double[] t = new double[4];
            for (int n = 1; n <= 3; n++) {
                Result r = run(pg, work, n, seconds, rounds, quota, quotas, clients, false);
                t[n] = r.median;
                System.out.printf(
                        "nodes=%d  durable readings/s median %,.0f (rounds %s)  p99 ack %.1f ms  p50 %.1f ms"
                                + "  E(n)=%.2f  of COPY ceiling %.0f%%  stored once: %s  not acknowledged: %s%n",
                        n,
                        r.median,
                        r.roundsText(),
                        r.p99Millis,
                        r.p50Millis,
                        r.median / (n * t[1]),
                        100 * r.median / ceiling,
                        r.storedOnce,
                        r.notAcknowledged);
            }
            if (haproxy() != null) {
                run(pg, work, 3, seconds, 1, quota, quotas, clients, true);
            } else {
                System.out.println("failover: haproxy is not installed (apt-get install haproxy); not measured");
            }
        } finally {
            pg.close();
        }
    }

    private record Result(
            double median,
            double[] rounds,
            double p50Millis,
            double p99Millis,
            String storedOnce,
            Map<Integer, Long> notAcknowledged) {
        String roundsText() {
            StringBuilder sb = new StringBuilder();
            for (double r : rounds) {
                sb.append(sb.isEmpty() ? "" : ", ").append(String.format("%,.0f", r));
            }
            return sb.toString();
        }
    }

    private static Result run(
            PostgresBackend pg,
            Path work,
            int n,
            int seconds,
            int rounds,
            double quota,
            boolean quotas,
            int clients,
            boolean failover)
            throws Exception {
        String db = "cluster_" + n + (failover ? "_failover" : "");
        String url = pg.config(db).string("store.postgres.url");
        List<Node> nodes = new ArrayList<>();
        Process haproxy = null;
        try {
            for (int i = 0; i < n; i++) {
                nodes.add(Node.start(work.resolve(db + "-node-" + i), url, quotas ? quota : 0, i));
            }
            String operator = nodes.stream()
                    .map(x -> x.operatorKey)
                    .filter(java.util.Objects::nonNull)
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("no node printed the operator key"));
            HttpClient http = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(2))
                    .executor(Executors.newVirtualThreadPerTaskExecutor())
                    .build();
            String key = customerKey(http, nodes.get(0).port, operator);
            List<URI> targets = new ArrayList<>();
            if (failover) {
                int port = Child.freePort();
                haproxy = startHaproxy(work.resolve(db + "-haproxy.cfg"), port, nodes);
                targets.add(URI.create("http://127.0.0.1:" + port + "/api/v1/upload"));
            } else {
                for (Node x : nodes) {
                    targets.add(URI.create("http://127.0.0.1:" + x.port + "/api/v1/upload"));
                }
            }
            Load load = new Load(http, targets, key, clients);
            load.run(Duration.ofSeconds(20), null); // warm-up: the JIT compiles under the node's CPU quota too
            double[] perRound = new double[rounds];
            Histogram latency = new Histogram(60_000_000_000L, 3);
            Map<Integer, Long> notAcknowledged = new java.util.TreeMap<>();
            for (int r = 0; r < rounds; r++) {
                Load.Round round = load.run(Duration.ofSeconds(seconds), failover ? nodes.get(1) : null);
                perRound[r] = round.readings / round.seconds;
                load.statuses.forEach((status, count) -> notAcknowledged.merge(status, count, Long::sum));
                latency.add(round.latency);
                if (failover) {
                    System.out.printf(
                            "failover (3 nodes behind HAProxy, node 2 killed with SIGKILL after %d s, %,.0f readings/s"
                                    + " over the round): uploads failed for %d ms after the kill (%d not acknowledged,"
                                    + " by answer %s; their clients send them again), throughput back to two thirds of"
                                    + " before in %d ms; stored once: %s%n",
                            seconds / 2,
                            perRound[r],
                            round.failingMillis,
                            round.failed,
                            new java.util.TreeMap<>(load.statuses),
                            round.recoveryMillis,
                            storedOnce(url, load.acked.get()));
                }
            }
            String once = storedOnce(url, load.acked.get());
            double[] sorted = perRound.clone();
            Arrays.sort(sorted);
            return new Result(
                    sorted[sorted.length / 2],
                    perRound,
                    latency.getValueAtPercentile(50) / 1e6,
                    latency.getValueAtPercentile(99) / 1e6,
                    once,
                    notAcknowledged);
        } finally {
            if (haproxy != null) {
                haproxy.destroy();
            }
            for (Node x : nodes) {
                x.close();
            }
        }
    }

    /** Whether every acknowledged reading is stored, and none twice. */
    private static String storedOnce(String url, long acked) throws Exception {
        try (Connection c = DriverManager.getConnection(url, PgCluster.USER, PgCluster.PASSWORD);
                ResultSet rs = c.createStatement()
                        .executeQuery("SELECT count(*), count(DISTINCT (channel_id, ts)) FROM readings")) {
            rs.next();
            long rows = rs.getLong(1);
            long distinct = rs.getLong(2);
            boolean ok = rows == distinct && rows >= acked;
            return (ok ? "yes" : "NO")
                    + String.format(" (%,d acknowledged, %,d rows, %,d distinct)", acked, rows, distinct);
        }
    }

    private static String customerKey(HttpClient http, int port, String operator) throws Exception {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/customers"))
                        .header("Authorization", "Bearer " + operator)
                        .POST(HttpRequest.BodyPublishers.ofString(
                                JSON.createObjectNode().put("name", "Bench").toString()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) {
            throw new IllegalStateException("the customer was not created: " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body()).at("/api_key/secret").asText();
    }

    private static @Nullable Path haproxy() {
        for (String p : List.of("/usr/sbin/haproxy", "/usr/bin/haproxy")) {
            if (Files.isExecutable(Path.of(p))) {
                return Path.of(p);
            }
        }
        return null;
    }

    /** HAProxy as docs/deployment.md configures it, on the given nodes. */
    private static Process startHaproxy(Path config, int port, List<Node> nodes) throws Exception {
        StringBuilder cfg = new StringBuilder(String.join(
                "\n",
                "global",
                "    maxconn 4000",
                "    tune.bufsize 131072",
                "defaults",
                "    mode http",
                "    timeout connect 2s",
                "    timeout client 75s",
                "    timeout server 75s",
                "    option http-buffer-request",
                "frontend meterbase",
                "    bind 127.0.0.1:" + port,
                "    default_backend nodes",
                "backend nodes",
                "    balance roundrobin",
                "    option httpchk GET /health",
                "    http-check expect status 200",
                "    retry-on conn-failure empty-response 503",
                "    retries 2",
                "    http-request disable-l7-retry unless { path_beg /api/v1/upload /input/ }",
                "    option redispatch",
                ""));
        for (int i = 0; i < nodes.size(); i++) {
            cfg.append("    server node")
                    .append(i)
                    .append(" 127.0.0.1:")
                    .append(nodes.get(i).port)
                    .append(" check inter 1s fall 2 rise 2\n");
        }
        Files.writeString(config, cfg.toString());
        Process p = new ProcessBuilder(
                        java.util.Objects.requireNonNull(haproxy(), "haproxy").toString(), "-f", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(config.resolveSibling("haproxy.log").toFile())
                .start();
        Thread.sleep(2_000);
        if (!p.isAlive()) {
            throw new IllegalStateException(
                    "haproxy did not start: " + Files.readString(config.resolveSibling("haproxy.log")));
        }
        return p;
    }

    /** One node: a {@code serve} process, in its own CPU cgroup when there is one. */
    private static final class Node implements AutoCloseable {
        final Process process;
        final int port;
        final @Nullable String operatorKey;
        final @Nullable Path cgroup;

        private Node(Process process, int port, @Nullable String operatorKey, @Nullable Path cgroup) {
            this.process = process;
            this.port = port;
            this.operatorKey = operatorKey;
            this.cgroup = cgroup;
        }

        static Node start(Path data, String url, double quota, int index) throws Exception {
            int port = Child.freePort();
            ProcessBuilder launch =
                    Child.java(MeterbaseCli.class, "serve", "--port", String.valueOf(port), "--data", data.toString());
            @Nullable Path cgroup = null;
            List<String> cmd = new ArrayList<>(launch.command());
            cmd.add(1, "--enable-native-access=ALL-UNNAMED");
            if (quota > 0) {
                cgroup = CGROUP.resolve(
                        "meterbase-bench-" + ProcessHandle.current().pid() + "-" + index);
                Files.createDirectories(cgroup);
                Files.writeString(cgroup.resolve("cpu.cfs_period_us"), "100000");
                Files.writeString(cgroup.resolve("cpu.cfs_quota_us"), String.valueOf((long) (quota * 100_000)));
                String quoted =
                        String.join(" ", cmd.stream().map(a -> "'" + a + "'").toList());
                cmd = List.of("sh", "-c", "echo $$ > " + cgroup.resolve("cgroup.procs") + " && exec " + quoted);
            }
            ProcessBuilder pb = new ProcessBuilder(cmd)
                    .redirectError(
                            data.resolveSibling(data.getFileName() + ".log").toFile());
            Files.createDirectories(data);
            Map<String, String> env = pb.environment();
            env.put("MB_STORE", "postgres");
            env.put("MB_STORE_POSTGRES_URL", url);
            env.put("MB_STORE_POSTGRES_USER", PgCluster.USER);
            env.put("MB_STORE_POSTGRES_PASSWORD", PgCluster.PASSWORD);
            env.put("MB_MQTT_ENABLED", "false");
            env.put("MB_COAP_ENABLED", "false");
            env.put("MB_ANALYTICS_ENABLED", "false");
            env.put("MB_INGEST_RATE_LIMIT_READINGS_PER_SECOND", "0");
            env.put("MB_INGEST_RATE_LIMIT_CUSTOMER_READINGS_PER_SECOND", "0");
            Process p = pb.start();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            @Nullable String key = null;
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("First operator key")) {
                    key = line.substring(line.lastIndexOf(' ') + 1);
                }
                if (line.startsWith("Meterbase is serving")) {
                    break;
                }
            }
            if (line == null) {
                throw new IllegalStateException("node " + index + " did not start; see " + data + ".log");
            }
            Thread drain = new Thread(() -> {
                try {
                    out.transferTo(java.io.Writer.nullWriter());
                } catch (IOException ignored) {
                    // it ended
                }
            });
            drain.setDaemon(true);
            drain.start();
            return new Node(p, port, key, cgroup);
        }

        void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }

        @Override
        public void close() throws IOException {
            process.destroy();
            try {
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
            if (cgroup != null) {
                Files.deleteIfExists(cgroup);
            }
        }
    }

    /** Clients posting uploads of 1,000 readings back to back, round robin over the targets. */
    private static final class Load {
        final HttpClient http;
        final List<URI> targets;
        final String key;
        final int clients;
        final AtomicLong clock = new AtomicLong(System.currentTimeMillis() - 30L * 86_400_000L);
        final AtomicLong next = new AtomicLong();
        final AtomicLong acked = new AtomicLong();
        /** The answers other than 200 in the last round, by status (-1: none). */
        final java.util.concurrent.ConcurrentHashMap<Integer, Long> statuses =
                new java.util.concurrent.ConcurrentHashMap<>();

        Load(HttpClient http, List<URI> targets, String key, int clients) {
            this.http = http;
            this.targets = targets;
            this.key = key;
            this.clients = clients;
        }

        record Round(
                long readings,
                double seconds,
                Histogram latency,
                long failed,
                long failingMillis,
                long recoveryMillis) {}

        /** Sends for {@code length}; with {@code victim}, kills it half way and measures the failover. */
        Round run(Duration length, @Nullable Node victim) throws Exception {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong readings = new AtomicLong();
            AtomicLong failed = new AtomicLong();
            statuses.clear();
            ConcurrentLinkedQueue<long[]> events = new ConcurrentLinkedQueue<>(); // {nanos, ok 1 / failed 0}
            Histogram latency = new Histogram(60_000_000_000L, 3);
            ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
            long start = System.nanoTime();
            List<CompletableFuture<Void>> running = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                running.add(CompletableFuture.runAsync(
                        () -> {
                            while (!stop.get()) {
                                byte[] body = body(clock.getAndAdd(PER_METER * 1000L));
                                URI to = targets.get((int) (next.getAndIncrement() % targets.size()));
                                long t0 = System.nanoTime();
                                int status = post(to, body);
                                long t1 = System.nanoTime();
                                if (status == 200) {
                                    readings.addAndGet(BATCH);
                                    acked.addAndGet(BATCH);
                                    synchronized (latency) {
                                        latency.recordValue(Math.min(t1 - t0, latency.getHighestTrackableValue()));
                                    }
                                } else {
                                    failed.incrementAndGet();
                                    statuses.merge(status, 1L, Long::sum);
                                }
                                events.add(new long[] {t1, status == 200 ? 1 : 0});
                            }
                        },
                        pool));
            }
            long killedAt = 0;
            if (victim != null) {
                Thread.sleep(length.toMillis() / 2);
                killedAt = System.nanoTime();
                victim.kill();
                Thread.sleep(length.toMillis() - length.toMillis() / 2);
            } else {
                Thread.sleep(length.toMillis());
            }
            stop.set(true);
            for (CompletableFuture<Void> f : running) {
                f.get(120, TimeUnit.SECONDS);
            }
            double secs = (System.nanoTime() - start) / 1e9;
            pool.shutdown();
            long failing = 0;
            long recovery = 0;
            if (victim != null) {
                long lastFailure = killedAt;
                for (long[] e : events) {
                    if (e[1] == 0 && e[0] > lastFailure) {
                        lastFailure = e[0];
                    }
                }
                failing = (lastFailure - killedAt) / 1_000_000;
                recovery = recoveryMillis(events, start, killedAt);
            }
            return new Round(readings.get(), secs, latency, failed.get(), failing, recovery);
        }

        /** From the kill, the time until a 250 ms window acknowledges two thirds of the average before it. */
        private static long recoveryMillis(ConcurrentLinkedQueue<long[]> events, long start, long killedAt) {
            long window = 250_000_000L;
            long before = 0;
            for (long[] e : events) {
                if (e[1] == 1 && e[0] < killedAt) {
                    before++;
                }
            }
            double perWindow = before / Math.max(1.0, (double) (killedAt - start) / window);
            for (long w = killedAt; w < killedAt + 60_000_000_000L; w += window) {
                long in = 0;
                boolean any = false;
                for (long[] e : events) {
                    if (e[0] >= w && e[0] < w + window) {
                        any = true;
                        in += e[1];
                    }
                }
                if (!any) {
                    break;
                }
                if (in >= perWindow * 2 / 3) {
                    return (w + window - killedAt) / 1_000_000;
                }
            }
            return -1;
        }

        private int post(URI to, byte[] body) {
            try {
                return http.send(
                                HttpRequest.newBuilder(to)
                                        .timeout(Duration.ofSeconds(60))
                                        .header("Authorization", "Bearer " + key)
                                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                                        .build(),
                                HttpResponse.BodyHandlers.discarding())
                        .statusCode();
            } catch (IOException e) {
                return -1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        }

        /** 100 meters, 10 power readings each, one second apart from {@code first}. */
        private static byte[] body(long first) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(BATCH * 60);
            try (JsonGenerator g = FACTORY.createGenerator(out)) {
                g.writeStartObject();
                g.writeStringField("gateway", "bench");
                g.writeArrayFieldStart("nodes");
                for (int m = 0; m < METERS; m++) {
                    g.writeStartObject();
                    g.writeStringField("id", "m-" + m);
                    g.writeArrayFieldStart("readings");
                    for (int i = 0; i < PER_METER; i++) {
                        g.writeStartObject();
                        g.writeStringField("quantity", "active_power");
                        g.writeStringField("unit", "W");
                        g.writeNumberField("value", 100 + (m * 7 + i) % 900);
                        g.writeNumberField("ts", first + i * 1000L);
                        g.writeEndObject();
                    }
                    g.writeEndArray();
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return out.toByteArray();
        }
    }
}
