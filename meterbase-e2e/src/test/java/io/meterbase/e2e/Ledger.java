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
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a test sent and what the server said: batches of readings of one node at consecutive milliseconds, each
 * posted over HTTP and recorded as acknowledged (200) or not, with the statuses counted; and the check that every
 * acknowledged reading is stored exactly once.
 */
final class Ledger {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One upload: node {@code node}, readings at consecutive milliseconds from {@code first}. */
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

    final List<Batch> acked = Collections.synchronizedList(new ArrayList<>());
    final List<Batch> unacked = Collections.synchronizedList(new ArrayList<>());
    final Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** Posts a batch and records the answer; returns the status, or -1 when there was none. */
    int post(int port, String key, Batch b) {
        int status;
        try {
            HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/upload"))
                    .header("Authorization", "Bearer " + key)
                    .timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.ofString(b.body()))
                    .build();
            status = http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            status = -1;
        }
        (status == 200 ? acked : unacked).add(b);
        statuses.computeIfAbsent(status, s -> new AtomicLong()).incrementAndGet();
        return status;
    }

    long count(int status) {
        AtomicLong n = statuses.get(status);
        return n == null ? 0 : n.get();
    }

    /** Creates a customer with the operator key; returns the customer's key. */
    static String customerKey(int port, String operatorKey) throws Exception {
        HttpResponse<String> created = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/customers"))
                                .header("Authorization", "Bearer " + operatorKey)
                                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"Test\"}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(created.body()).at("/api_key/secret").asText();
    }

    /** The server's health status and the status of one of its checks. */
    static String[] health(int port, String check) {
        try {
            String body = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                                    .timeout(Duration.ofSeconds(5))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            var tree = JSON.readTree(body);
            return new String[] {
                tree.path("status").asText(),
                tree.at("/checks/" + check + "/status").asText()
            };
        } catch (Exception e) {
            return new String[] {"unreachable", "unreachable"};
        }
    }

    /** Every stored (node, timestamp) of an embedded store, as {@code node@ts}, and the number of rows. */
    static Stored storedInDuckDb(Path dataDir) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + dataDir.resolve("meterbase.duckdb"))) {
            return stored(c, "epoch_ms(r.ts)");
        }
    }

    /** The same in PostgreSQL. */
    static Stored storedInPostgres(String url, String user, String password) throws Exception {
        try (Connection c = DriverManager.getConnection(url, user, password)) {
            return stored(c, "(extract(epoch from r.ts) * 1000)::bigint");
        }
    }

    private static Stored stored(Connection c, String millis) throws Exception {
        Set<String> keys = new HashSet<>();
        long rows = 0;
        try (ResultSet rs = c.createStatement()
                .executeQuery("SELECT d.ref, " + millis + " FROM readings r JOIN channels ch ON ch.id = r.channel_id"
                        + " JOIN devices d ON d.id = ch.device_id")) {
            while (rs.next()) {
                keys.add(rs.getString(1) + "@" + rs.getLong(2));
                rows++;
            }
        }
        return new Stored(keys, rows);
    }

    /** Stored readings: their keys and the number of rows (more rows than keys: stored twice). */
    record Stored(Set<String> keys, long rows) {}

    /** Every acknowledged reading is stored, and none twice. */
    void assertAcknowledgedStoredOnce(Stored stored) {
        assertThat(stored.rows())
                .as("no reading stored twice")
                .isEqualTo(stored.keys().size());
        long missing = 0;
        synchronized (acked) {
            for (Batch b : acked) {
                for (int i = 0; i < b.count(); i++) {
                    if (!stored.keys().contains(b.node() + "@" + (b.first() + i))) {
                        missing++;
                    }
                }
            }
        }
        assertThat(missing).as("acknowledged readings missing").isZero();
    }

    long ackedReadings() {
        synchronized (acked) {
            return acked.stream().mapToLong(Batch::count).sum();
        }
    }
}
