package io.meterbase.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 during full-speed ingest, restart: every acknowledged reading is there exactly once, and resending
 * acknowledged and unacknowledged batches after the restart stores nothing twice.
 */
class CrashSafetyTest {

    private static final int SENDERS = 4;
    private static final int READINGS_PER_BATCH = 2_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** One upload: node {@code n-<sender>}, readings at consecutive milliseconds from {@code first}. */
    record Batch(String node, long first, int count) {
        String body() {
            StringBuilder sb = new StringBuilder(count * 70)
                    .append("{\"nodes\":[{\"id\":\"")
                    .append(node)
                    .append("\",\"readings\":[");
            for (int i = 0; i < count; i++) {
                sb.append(i == 0 ? "" : ",")
                        .append("{\"ts\":")
                        .append(first + i)
                        .append(",\"quantity\":\"active_power\",\"unit\":\"W\",\"value\":")
                        .append(i % 3000)
                        .append('}');
            }
            return sb.append("]}]}").toString();
        }
    }

    private int post(int port, String key, String body) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/upload"))
                .header("Authorization", "Bearer " + key)
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return http.send(req, HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    @Test
    void killDuringIngest_losesNothingAcknowledged_andStoresNothingTwice() throws Exception {
        Path data = tmp.resolve("data");
        int port = ServerProcess.freePort();
        List<Batch> acked = Collections.synchronizedList(new ArrayList<>());
        List<Batch> unacked = Collections.synchronizedList(new ArrayList<>());
        String key;
        try (ServerProcess first = ServerProcess.start(data, port)) {
            String operator = first.operatorKey;
            assertThat(operator).startsWith("mbk_");
            HttpResponse<String> created = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/customers"))
                            .header("Authorization", "Bearer " + operator)
                            .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"Crash test\"}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            key = JSON.readTree(created.body()).at("/api_key/secret").asText();
            AtomicBoolean stop = new AtomicBoolean();
            long base = System.currentTimeMillis() - 3_600_000L;
            ExecutorService senders = Executors.newFixedThreadPool(SENDERS);
            for (int s = 0; s < SENDERS; s++) {
                String node = "n-" + s;
                senders.submit(() -> {
                    long next = base;
                    while (!stop.get()) {
                        Batch b = new Batch(node, next, READINGS_PER_BATCH);
                        next += READINGS_PER_BATCH;
                        try {
                            (post(port, key, b.body()) == 200 ? acked : unacked).add(b);
                        } catch (Exception e) {
                            unacked.add(b);
                        }
                    }
                    return null;
                });
            }
            long deadline = System.currentTimeMillis() + 20_000;
            while (acked.size() < 100 && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            first.kill();
            stop.set(true);
            senders.shutdown();
            assertThat(senders.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
            assertThat(acked).hasSizeGreaterThanOrEqualTo(100);
            assertThat(unacked).as("the kill interrupted uploads in flight").isNotEmpty();
            System.err.printf(
                    "crash test: %d batches acknowledged before kill -9, %d in flight%n", acked.size(), unacked.size());
        }
        long ackedReadings = (long) acked.size() * READINGS_PER_BATCH;
        try (ServerProcess second = ServerProcess.start(data, port)) {
            // resend a sample of acknowledged batches, and every unacknowledged one, as a gateway would
            List<Batch> resend = new ArrayList<>(acked.subList(0, Math.min(20, acked.size())));
            resend.addAll(unacked);
            for (Batch b : resend) {
                assertThat(post(second.port, key, b.body())).isEqualTo(200);
            }
        }

        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + data.resolve("meterbase.duckdb"))) {
            Set<String> stored = new HashSet<>();
            long rows = 0;
            try (ResultSet rs = c.createStatement()
                    .executeQuery(
                            "SELECT d.ref, epoch_ms(r.ts) FROM readings r JOIN channels ch ON ch.id = r.channel_id"
                                    + " JOIN devices d ON d.id = ch.device_id")) {
                while (rs.next()) {
                    stored.add(rs.getString(1) + "@" + rs.getLong(2));
                    rows++;
                }
            }
            assertThat(rows).as("no reading stored twice").isEqualTo(stored.size());
            long missing = 0;
            for (Batch b : acked) {
                for (int i = 0; i < b.count(); i++) {
                    if (!stored.contains(b.node() + "@" + (b.first() + i))) {
                        missing++;
                    }
                }
            }
            assertThat(missing)
                    .as("acknowledged readings missing after kill -9")
                    .isZero();
            long expected = ackedReadings + (long) unacked.size() * READINGS_PER_BATCH;
            assertThat(rows).as("acknowledged plus resent batches, each once").isEqualTo(expected);
        }
    }
}
