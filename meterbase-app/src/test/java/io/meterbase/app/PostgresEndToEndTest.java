package io.meterbase.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meterbase.core.model.Role;
import io.meterbase.store.contract.PgCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The whole server on PostgreSQL: uploads and queries, and a PostgreSQL restart in the middle of ingest. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PER_BATCH = 500;

    private PgCluster cluster;
    private Meterbase server;
    private String key;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeAll
    void start() throws Exception {
        cluster = PgCluster.start();
        MeterbaseConfig config = MeterbaseConfig.defaults()
                .with("store", "postgres")
                .with("store.postgres.url", cluster.url("meterbase"))
                .with("store.postgres.user", PgCluster.USER)
                .with("store.postgres.password", PgCluster.PASSWORD)
                .with("http.port", "0")
                .with("mqtt.enabled", "false")
                .with("coap.enabled", "false")
                .with("ingest.rollup-interval", "PT0.2S")
                .with("mqtt.enabled", "false");
        server = Meterbase.start(config, Clock.systemUTC());
        long customer = server.registry()
                .createCustomer("pg", "pg", null, null, "north", ZoneId.of("UTC"))
                .id();
        key = server.registry().createKey(customer, Role.CUSTOMER, "pg").secret();
    }

    @AfterAll
    void stop() throws Exception {
        server.close();
        cluster.close();
    }

    private HttpResponse<String> post(String body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + "/api/v1/upload"))
                        .header("Authorization", "Bearer " + key)
                        .timeout(Duration.ofSeconds(90))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode get(String path) throws Exception {
        return JSON.readTree(http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path))
                                .header("Authorization", "Bearer " + key)
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body());
    }

    private static String batch(String node, long first, int count, double watts) {
        StringBuilder sb =
                new StringBuilder("{\"nodes\":[{\"id\":\"").append(node).append("\",\"readings\":[");
        for (int i = 0; i < count; i++) {
            sb.append(i == 0 ? "" : ",")
                    .append("{\"ts\":")
                    .append(first + i * 1000L)
                    .append(",\"quantity\":\"active_power\",\"unit\":\"W\",\"value\":")
                    .append(watts)
                    .append('}');
        }
        return sb.append("]}]}").toString();
    }

    @Test
    void uploadAndQueries_workOnPostgres() throws Exception {
        long start = Instant.now().minus(Duration.ofHours(3)).toEpochMilli() / 3_600_000 * 3_600_000;
        HttpResponse<String> r = post(batch("plug-q", start, 3601, 1000));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).get("duplicates").asInt()).isZero();
        assertThat(JSON.readTree(post(batch("plug-q", start, 10, 1000)).body())
                        .get("duplicates")
                        .asInt())
                .isEqualTo(10);
        int channel = get("/api/v1/devices?device=plug-q")
                .get(0)
                .get("channels")
                .get(0)
                .get("id")
                .asInt();

        JsonNode history =
                get("/api/v1/channels/" + channel + "/history?points=60&from=" + start + "&to=" + (start + 3_600_000));
        assertThat(history.get("points").size()).isBetween(30, 60);
        assertThat(history.get("points").get(0).get(1).asDouble()).isEqualTo(1000);

        double wh = 0;
        long deadline = System.currentTimeMillis() + 15_000;
        while (wh < 1000 && System.currentTimeMillis() < deadline) {
            wh = get("/api/v1/energy?device=plug-q&interval=hour&group=total&from=" + start + "&to="
                            + (start + 7_200_000))
                    .get("points")
                    .findValues("amount")
                    .stream()
                    .mapToDouble(JsonNode::asDouble)
                    .sum();
            Thread.sleep(100);
        }
        assertThat(wh).isCloseTo(1000.0, org.assertj.core.api.Assertions.within(1e-6)); // 1 kW for one hour
    }

    @Test
    void postgresRestartDuringIngest_losesNothingAcknowledged() throws Exception {
        long base = Instant.now().minus(Duration.ofDays(1)).toEpochMilli();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger acknowledged = new AtomicInteger();
        AtomicInteger refusals = new AtomicInteger();
        ExecutorService clients = Executors.newFixedThreadPool(3);
        List<Future<Integer>> sent = new ArrayList<>();
        for (int c = 0; c < 3; c++) {
            String node = "fault-" + c;
            sent.add(clients.submit(() -> {
                int batches = 0;
                long next = base;
                while (!stop.get()) {
                    String body = batch(node, next, PER_BATCH, 5);
                    // a gateway sends the same batch again until it is acknowledged
                    while (true) {
                        int status;
                        try {
                            status = post(body).statusCode();
                        } catch (java.io.IOException e) {
                            status = -1;
                        }
                        if (status == 200) {
                            break;
                        }
                        assertThat(status)
                                .as("a refusal during the outage is a 503")
                                .isIn(503, -1);
                        refusals.incrementAndGet();
                        Thread.sleep(100);
                    }
                    acknowledged.incrementAndGet();
                    batches++;
                    next += PER_BATCH * 1000L;
                }
                return batches;
            }));
        }
        long until = System.currentTimeMillis() + 20_000;
        while (acknowledged.get() < 20 && System.currentTimeMillis() < until) {
            Thread.sleep(20);
        }
        cluster.stop();
        Thread.sleep(1_500);
        cluster.startAgain();
        int atRestart = acknowledged.get();
        until = System.currentTimeMillis() + 60_000;
        while (acknowledged.get() < atRestart + 20 && System.currentTimeMillis() < until) {
            Thread.sleep(20);
        }
        stop.set(true);
        int total = 0;
        for (Future<Integer> f : sent) {
            total += f.get(120, TimeUnit.SECONDS);
        }
        clients.shutdown();

        assertThat(refusals.get())
                .as("uploads were refused while PostgreSQL was down")
                .isPositive();
        assertThat(acknowledged.get()).as("ingest resumed after the restart").isGreaterThanOrEqualTo(atRestart + 20);
        try (Connection c = DriverManager.getConnection(cluster.url("meterbase"), PgCluster.USER, PgCluster.PASSWORD);
                ResultSet rs = c.createStatement()
                        .executeQuery("SELECT count(*), count(DISTINCT (r.channel_id, r.ts)) FROM readings r"
                                + " JOIN channels ch ON ch.id = r.channel_id JOIN devices d ON d.id = ch.device_id"
                                + " WHERE d.ref LIKE 'fault-%'")) {
            rs.next();
            assertThat(rs.getLong(1)).as("no reading stored twice").isEqualTo(rs.getLong(2));
            assertThat(rs.getLong(1)).as("every acknowledged reading stored").isEqualTo((long) total * PER_BATCH);
        }
    }
}
