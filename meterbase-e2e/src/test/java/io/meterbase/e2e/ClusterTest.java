package io.meterbase.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.sun.net.httpserver.HttpServer;
import io.meterbase.store.contract.PgCluster;
import java.net.InetSocketAddress;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three Meterbase nodes, each its own process started with {@code serve}, on one PostgreSQL and one Mosquitto with
 * passwords; the test spreads its requests over the nodes as a load balancer would. Everything a user sees is the
 * same whichever node answers, nothing acknowledged is lost or stored twice, and one node killed with SIGKILL
 * leaves the others carrying on, over HTTP and over the broker.
 */
class ClusterTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration COHERENT = Duration.ofSeconds(2);

    @TempDir
    Path tmp;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** One node: its process and the port of its HTTP API. */
    private record Node(String name, ServerProcess process) {
        int port() {
            return process.port;
        }
    }

    @Test
    void threeNodesOnOnePostgresAndOneBroker_answerAlike_storeOnce_andSurviveAKill() throws Exception {
        try (PgCluster pg = PgCluster.start();
                Mosquitto broker = Mosquitto.start(tmp.resolve("mosquitto"))) {
            Map<String, String> store = ServerProcess.onPostgres(pg.url("meterbase"));
            store.put("MB_COAP_ENABLED", "false");
            store.put("MB_WEBHOOKS_ALLOW_RANGES", "127.0.0.0/8"); // the test's webhook receiver

            // GIVEN three nodes started at the same moment on an empty database
            List<Node> nodes = startTogether(List.of("node-0", "node-1", "node-2"), n -> store);
            try {
                // THEN exactly one of them made the first operator key, and the default alarm rules exist once
                List<String> keys = nodes.stream()
                        .map(n -> n.process().operatorKey)
                        .filter(java.util.Objects::nonNull)
                        .toList();
                assertThat(keys).hasSize(1);
                String operator = keys.get(0);
                for (Node n : nodes) {
                    assertThat(get(n, operator, "/api/v1/alarm-rules").body()).hasSize(3);
                }
                // AND every node signs commands with the same key (gateways verify with one public key)
                Set<String> signingKeys = new HashSet<>();
                for (Node n : nodes) {
                    signingKeys.add(text(n, operator, "/api/v1/commands/signing-key"));
                }
                assertThat(signingKeys).hasSize(1);

                // WHEN each node creates customers at the same time
                List<Long> ids = new ArrayList<>();
                Map<Long, String> customerKeys = new HashMap<>();
                ExecutorService pool = Executors.newFixedThreadPool(3);
                try {
                    List<Future<List<JsonNode>>> made = new ArrayList<>();
                    for (Node n : nodes) {
                        made.add(pool.submit(() -> {
                            List<JsonNode> out = new ArrayList<>();
                            for (int i = 0; i < 5; i++) {
                                out.add(post(n, operator, "/api/v1/customers", object("name", n.name() + "-" + i))
                                        .body());
                            }
                            return out;
                        }));
                    }
                    for (Future<List<JsonNode>> f : made) {
                        for (JsonNode c : f.get()) {
                            ids.add(c.path("id").asLong());
                            customerKeys.put(
                                    c.path("id").asLong(),
                                    c.at("/api_key/secret").asText());
                        }
                    }
                } finally {
                    pool.shutdownNow();
                }
                // THEN every id is distinct, and every node lists all of them within two seconds
                assertThat(ids).hasSize(15).doesNotHaveDuplicates();
                for (Node n : nodes) {
                    within(
                            COHERENT,
                            () -> get(n, operator, "/api/v1/customers").body().size() == 15);
                }

                long customer = ids.get(0);
                String key = customerKeys.get(customer);

                // AND a key made on one node works on every node; revoked there, it is refused everywhere within 2 s
                JsonNode extra = post(nodes.get(0), key, "/api/v1/keys", object("label", "spare"))
                        .body();
                String spare = extra.path("secret").asText();
                for (Node n : nodes) {
                    within(COHERENT, () -> status(n, spare, "/api/v1/summary") == 200);
                }
                send(
                        nodes.get(0),
                        key,
                        "DELETE",
                        "/api/v1/keys/" + extra.path("id").asLong(),
                        null);
                for (Node n : nodes.subList(1, 3)) {
                    within(COHERENT, () -> status(n, spare, "/api/v1/summary") == 401);
                }

                // AND a person signed in on one node is signed in on every node
                post(
                        nodes.get(0),
                        operator,
                        "/api/v1/accounts",
                        object("username", "ann", "password", "correct horse battery")
                                .put("customer", customer));
                HttpResponse<String> signIn = http.send(
                        HttpRequest.newBuilder(uri(nodes.get(0), "/api/v1/session"))
                                .POST(HttpRequest.BodyPublishers.ofString(
                                        object("username", "ann", "password", "correct horse battery")
                                                .toString()))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(signIn.statusCode()).isEqualTo(200);
                String cookie =
                        signIn.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
                for (Node n : nodes.subList(1, 3)) {
                    HttpResponse<String> who = http.send(
                            HttpRequest.newBuilder(uri(n, "/api/v1/session"))
                                    .header("Cookie", cookie)
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertThat(who.statusCode())
                            .as("the cookie on %s", n.name())
                            .isEqualTo(200);
                }

                // WHEN uploads are spread over the nodes, some sent again to another node, and node 1 is killed
                Ledger ledger = new Ledger();
                long first = System.currentTimeMillis() - 3_600_000L;
                for (int b = 0; b < 60; b++) {
                    Ledger.Batch batch = new Ledger.Batch("meter-" + (b % 4), first + b * 500L, 500);
                    Node to = nodes.get(b % 3);
                    if (b >= 30 && to.name().equals("node-1")) {
                        to = nodes.get(2);
                    }
                    if (b == 30) {
                        nodes.get(1).process().kill();
                    }
                    if (ledger.post(to.port(), key, batch) != 200) {
                        ledger.post(nodes.get(0).port(), key, batch); // the client retries on another node
                    }
                    if (b % 5 == 0) {
                        ledger.post(nodes.get(b % 2 == 0 ? 2 : 0).port(), key, batch); // a retry after a timeout
                    }
                }
                // THEN every acknowledged reading is stored exactly once
                ledger.assertAcknowledgedStoredOnce(
                        Ledger.storedInPostgres(pg.url("meterbase"), PgCluster.USER, PgCluster.PASSWORD));
                assertThat(ledger.ackedReadings()).isGreaterThanOrEqualTo(60L * 500);
                Node alive0 = nodes.get(0);
                Node alive2 = nodes.get(2);

                // AND a device's live value is the same on the nodes that did not receive it
                ObjectNode live = upload("gw-1", "fridge", "active_power", "W", 432.0, System.currentTimeMillis());
                assertThat(post(alive0, key, "/api/v1/upload", live).status()).isEqualTo(200);
                within(Duration.ofSeconds(5), () -> livePower(alive2, key) == 432.0);
                assertThat(livePower(alive0, key)).isEqualTo(432.0);

                // AND a gas leak reported to two nodes is one alarm, with one webhook call
                AtomicInteger calls = new AtomicInteger();
                HttpServer hook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
                hook.createContext("/hook", exchange -> {
                    calls.incrementAndGet();
                    exchange.sendResponseHeaders(204, -1);
                    exchange.close();
                });
                hook.start();
                try {
                    post(
                            alive0,
                            key,
                            "/api/v1/webhooks",
                            object(
                                    "url",
                                    "http://127.0.0.1:" + hook.getAddress().getPort() + "/hook"));
                    Thread.sleep(COHERENT.toMillis());
                    long now = System.currentTimeMillis();
                    ObjectNode leak = upload("gw-1", "gas-sensor", "gas_concentration", "ppm", 1500, now);
                    assertThat(post(alive0, key, "/api/v1/upload", leak).status())
                            .isEqualTo(200);
                    ObjectNode again = upload("gw-1", "gas-sensor", "gas_concentration", "ppm", 1600, now + 1000);
                    assertThat(post(alive2, key, "/api/v1/upload", again).status())
                            .isEqualTo(200);
                    within(Duration.ofSeconds(5), () -> calls.get() >= 1);
                    Thread.sleep(3_000);
                    assertThat(calls.get()).as("webhook calls").isEqualTo(1);
                    JsonNode active =
                            get(alive2, key, "/api/v1/alarms?state=active").body();
                    assertThat(active).as("active alarms").hasSize(1);
                } finally {
                    hook.stop(0);
                }

                // AND a command made on node 0 is handed to the gateway when it uploads to node 2
                JsonNode command = post(alive0, key, "/api/v1/devices/fridge/commands", object("type", "relay_off"))
                        .body();
                String commandId = command.path("id").asText();
                Thread.sleep(COHERENT.toMillis());
                JsonNode answer = post(
                                alive2,
                                key,
                                "/api/v1/upload",
                                upload("gw-1", "fridge", "active_power", "W", 5.0, System.currentTimeMillis()))
                        .body();
                assertThat(answer.path("commands").findValuesAsText("id")).contains(commandId);
                within(COHERENT, () -> get(alive0, key, "/api/v1/commands/" + commandId)
                        .body()
                        .path("status")
                        .asText()
                        .equals("sent"));

                // AND the retention job runs on one node only
                long leaders = 0;
                for (Node n : List.of(alive0, alive2)) {
                    leaders += Files.readString(n.process().log()).contains("now runs 'retention'") ? 1 : 0;
                }
                leaders += Files.readString(nodes.get(1).process().log()).contains("now runs 'retention'") ? 1 : 0;
                assertThat(leaders).as("nodes that ran retention").isEqualTo(1);

                // WHEN the nodes read the broker's devices too (restarted with it), and one is killed mid-stream
                for (Node n : nodes) {
                    n.process().close();
                }
                nodes = startTogether(List.of("node-0", "node-1", "node-2"), n -> withBroker(store, broker, n, key));
                int messages = 300;
                try (Publisher devices = new Publisher(broker)) {
                    long t0 = System.currentTimeMillis() - 600_000L;
                    for (int i = 0; i < messages; i++) {
                        if (i == 100) {
                            nodes.get(1).process().kill();
                        }
                        devices.publish(
                                "meterbase/mq-gw/up",
                                upload("mq-gw", "mq-" + (i % 10), "active_power", "W", i, t0 + i * 1000L));
                        Thread.sleep(10);
                    }
                }
                // THEN every message the broker took is stored once, the killed node's share by the others
                within(Duration.ofSeconds(60), () -> storedOf(pg, "mq-%") == messages);
                Thread.sleep(1_000);
                assertThat(storedOf(pg, "mq-%")).isEqualTo(messages);
                boolean tookOver = false;
                for (Node n : List.of(nodes.get(0), nodes.get(2))) {
                    tookOver |= Files.readString(n.process().log()).contains("Took over the MQTT session of node-1");
                }
                assertThat(tookOver)
                        .as("a node took over the killed node's session")
                        .isTrue();
            } finally {
                for (Node n : nodes) {
                    n.process().close();
                }
            }
        }
    }

    /** The settings of a node that also reads the external broker, as customer {@code key}'s devices. */
    private static Map<String, String> withBroker(
            Map<String, String> store, Mosquitto broker, String node, String key) {
        Map<String, String> env = new HashMap<>(store);
        env.put("MB_MQTT_EXTERNAL_URL", "mqtt://127.0.0.1:" + broker.port);
        env.put("MB_MQTT_EXTERNAL_USERNAME", Mosquitto.NODE_USER);
        env.put("MB_MQTT_EXTERNAL_PASSWORD", Mosquitto.NODE_PASSWORD);
        env.put("MB_MQTT_EXTERNAL_CLIENT_ID", node);
        env.put("MB_MQTT_EXTERNAL_CUSTOMER_KEY", key);
        return env;
    }

    /** Devices publishing QoS 1 to the broker, each message acknowledged by it before the next. */
    private static final class Publisher implements AutoCloseable {
        private final Mqtt5BlockingClient client;

        Publisher(Mosquitto broker) {
            client = Mqtt5Client.builder()
                    .identifier("devices")
                    .serverHost("127.0.0.1")
                    .serverPort(broker.port)
                    .simpleAuth()
                    .username(Mosquitto.DEVICE_USER)
                    .password(Mosquitto.DEVICE_PASSWORD.getBytes(StandardCharsets.UTF_8))
                    .applySimpleAuth()
                    .buildBlocking();
            client.connect();
        }

        void publish(String topic, JsonNode body) {
            client.publishWith()
                    .topic(topic)
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .payload(body.toString().getBytes(StandardCharsets.UTF_8))
                    .send();
        }

        @Override
        public void close() {
            client.disconnect();
        }
    }

    /** Readings stored of the devices whose reference is like {@code pattern}, checked to be stored once. */
    private static long storedOf(PgCluster pg, String pattern) throws Exception {
        try (Connection c = DriverManager.getConnection(pg.url("meterbase"), PgCluster.USER, PgCluster.PASSWORD);
                ResultSet rs = c.createStatement()
                        .executeQuery("SELECT count(*), count(DISTINCT (r.channel_id, r.ts)) FROM readings r"
                                + " JOIN channels ch ON ch.id = r.channel_id JOIN devices d ON d.id = ch.device_id"
                                + " WHERE d.ref LIKE '" + pattern + "'")) {
            rs.next();
            assertThat(rs.getLong(1)).as("stored once").isEqualTo(rs.getLong(2));
            return rs.getLong(1);
        }
    }

    private List<Node> startTogether(List<String> names, java.util.function.Function<String, Map<String, String>> env)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(names.size());
        try {
            List<Future<Node>> starting = new ArrayList<>();
            for (String name : names) {
                Map<String, String> settings = env.apply(name);
                starting.add(pool.submit(() ->
                        new Node(name, ServerProcess.start(tmp.resolve(name), ServerProcess.freePort(), settings))));
            }
            List<Node> out = new ArrayList<>();
            for (Future<Node> f : starting) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdown();
        }
    }

    /** A gateway upload of one reading of one device. */
    private static ObjectNode upload(
            String gateway, String device, String quantity, String unit, double value, long ts) {
        ObjectNode reading =
                object("quantity", quantity, "unit", unit).put("value", value).put("ts", ts);
        ObjectNode node = object("id", device);
        node.putArray("readings").add(reading);
        ObjectNode body = object("gateway", gateway);
        body.putArray("nodes").add(node);
        return body;
    }

    private double livePower(Node n, String key) throws Exception {
        JsonNode summary = get(n, key, "/api/v1/summary").body();
        return summary.path("power_w").asDouble(Double.NaN);
    }

    private static ObjectNode object(String... pairs) {
        ObjectNode o = JSON.createObjectNode();
        for (int i = 0; i < pairs.length; i += 2) {
            o.put(pairs[i], pairs[i + 1]);
        }
        return o;
    }

    private record Answer(int status, JsonNode body) {}

    private static URI uri(Node n, String path) {
        return URI.create("http://127.0.0.1:" + n.port() + path);
    }

    private String text(Node n, String key, String path) throws Exception {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(uri(n, path))
                        .header("Authorization", "Bearer " + key)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    private Answer get(Node n, String key, String path) throws Exception {
        return send(n, key, "GET", path, null);
    }

    private Answer post(Node n, String key, String path, JsonNode body) throws Exception {
        return send(n, key, "POST", path, body);
    }

    private int status(Node n, String key, String path) {
        try {
            return send(n, key, "GET", path, null).status();
        } catch (Exception e) {
            return -1;
        }
    }

    private Answer send(Node n, String key, String method, String path, JsonNode body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(n, path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + key)
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(body.toString()));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode tree = r.body().isBlank() ? JSON.nullNode() : JSON.readTree(r.body());
        return new Answer(r.statusCode(), tree);
    }

    /** A condition that may fail to be checked (counted as not holding yet). */
    private interface Condition {
        boolean holds() throws Exception;
    }

    /** Waits for the condition, failing after {@code limit}. */
    private static void within(Duration limit, Condition condition) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            try {
                if (condition.holds()) {
                    return;
                }
            } catch (Exception | AssertionError e) {
                // not yet
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + limit);
            }
            Thread.sleep(50);
        }
    }
}
