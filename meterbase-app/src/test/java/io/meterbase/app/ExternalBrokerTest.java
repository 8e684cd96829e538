package io.meterbase.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.meterbase.core.model.Role;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two Meterbase nodes read one Mosquitto (password authentication, anonymous access off) through an MQTT 5 shared
 * subscription: the devices' messages are split between them, and none is lost.
 */
class ExternalBrokerTest {

    /** Debian installs the broker in /usr/sbin, which not every PATH has. */
    private static final String MOSQUITTO =
            Files.isExecutable(Path.of("/usr/sbin/mosquitto")) ? "/usr/sbin/mosquitto" : "/usr/bin/mosquitto";

    @TempDir
    Path dir;

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 20_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("not within 20 s");
            }
            Thread.sleep(50);
        }
    }

    private static int run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }

    /** Each node's customer key, made at its first start. */
    private final java.util.Map<String, String> keys = new java.util.HashMap<>();

    private Meterbase node(String name, int brokerPort) {
        String known = keys.get(name);
        if (known != null) {
            return connected(name, brokerPort, known);
        }
        Meterbase m = Meterbase.start(
                MeterbaseConfig.defaults()
                        .with("data.dir", dir.resolve(name).toString())
                        .with("http.port", "0")
                        .with("mqtt.enabled", "false")
                        .with("coap.enabled", "false"),
                Clock.systemUTC());
        long customer = m.registry()
                .createCustomer("Utility", "Grid", null, null, "north", ZoneId.of("UTC"))
                .id();
        String key = m.registry().createKey(customer, Role.CUSTOMER, "broker").secret();
        m.close();
        keys.put(name, key);
        return connected(name, brokerPort, key);
    }

    private Meterbase connected(String name, int brokerPort, String key) {
        return Meterbase.start(
                MeterbaseConfig.defaults()
                        .with("data.dir", dir.resolve(name).toString())
                        .with("http.port", "0")
                        .with("mqtt.enabled", "false")
                        .with("coap.enabled", "false")
                        .with("mqtt.external.url", "mqtt://127.0.0.1:" + brokerPort)
                        .with("mqtt.external.username", "meterbase")
                        .with("mqtt.external.password", "broker-secret")
                        .with("mqtt.external.client-id", name)
                        .with("mqtt.external.customer-key", key),
                Clock.systemUTC());
    }

    private static long readings(Meterbase m) {
        return m.store().readings().stats().readings();
    }

    @Test
    void messagesQueuedForANodeWhileItWasDown_areStoredWhenItComesBack() throws Exception {
        int port = freePort();
        Process mosquitto = mosquitto(port);
        try {
            // GIVEN a node that subscribed once (its session outlives it on the broker), then stopped
            node("node-a", port).close();

            // WHEN devices publish while it is down: the broker queues their messages for its session
            int messages = 30;
            for (int i = 0; i < messages; i++) {
                assertThat(publish(port, "tele/plug-" + i + "/SENSOR", 10 + i)).isZero();
            }

            // THEN the node, back, stores every one of them (the broker sends them right after the connection is
            // accepted, before any subscription is renewed)
            try (Meterbase a = node("node-a", port)) {
                await(() -> readings(a) == 2L * messages);
                Thread.sleep(500);
                assertThat(readings(a)).isEqualTo(2L * messages);
            }
        } finally {
            mosquitto.destroy();
            mosquitto.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void whileANodeIsAway_anotherTakesOverItsShare_andItTakesItBackWhenItReturns() throws Exception {
        int port = freePort();
        Process mosquitto = mosquitto(port);
        try {
            node("node-a", port).close();
            try (Meterbase b = node("node-b", port)) {
                // GIVEN node a is away (it said so), with its session still on the broker, and node b runs
                try (Meterbase a = node("node-a", port)) {
                    assertThat(readings(a)).isZero();
                } // a stops: it announces that it is offline

                // WHEN devices publish while node a is away: the broker routes every other message to a's session
                int messages = 30;
                for (int i = 0; i < messages; i++) {
                    assertThat(publish(port, "tele/plug-" + i + "/SENSOR", 10 + i))
                            .isZero();
                }

                // THEN node b stores all of them: it took over a's session, queue and share (before: 15 waited)
                await(() -> readings(b) == 2L * messages);

                // AND node a, back, takes its session back and its share again
                try (Meterbase a = node("node-a", port)) {
                    Thread.sleep(1_000);
                    for (int i = 0; i < messages; i++) {
                        assertThat(publish(port, "tele/plug-" + i + "/SENSOR", 100 + i))
                                .isZero();
                    }
                    await(() -> readings(a) + readings(b) == 4L * messages);
                    assertThat(readings(a)).as("node a took a share again").isPositive();
                }
            }
        } finally {
            mosquitto.destroy();
            mosquitto.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aNodeStoppedWhileItsConnectionWasTaken_doesNotComeBackToItsSession() throws Exception {
        int port = freePort();
        Process mosquitto = mosquitto(port);
        try {
            try (Meterbase a = node("node-a", port)) {
                assertThat(status(port, "node-a")).isEqualTo("online");
                assertThat(readings(a)).isZero();
                // GIVEN another client takes node a's client id (as a node taking over its session does): the broker
                // drops a's connection, and a means to reconnect
                assertThat(run(List.of(
                                "mosquitto_pub",
                                "-h",
                                "127.0.0.1",
                                "-p",
                                String.valueOf(port),
                                "-i",
                                "node-a",
                                "-u",
                                "meterbase",
                                "-P",
                                "broker-secret",
                                "-t",
                                "probe",
                                "-m",
                                "x")))
                        .isZero();
            } // WHEN node a stops before it has reconnected

            // THEN it stays away: no connection of a closed node takes the session back and says it is online
            Thread.sleep(4_000);
            assertThat(status(port, "node-a")).isEqualTo("offline");
        } finally {
            mosquitto.destroy();
            mosquitto.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** The retained status a node last announced (or its will), read as a node would. */
    private static String status(int port, String node) throws Exception {
        Process sub = new ProcessBuilder(
                        "mosquitto_sub",
                        "-h",
                        "127.0.0.1",
                        "-p",
                        String.valueOf(port),
                        "-u",
                        "meterbase",
                        "-P",
                        "broker-secret",
                        "-t",
                        "meterbase/nodes/" + node + "/status",
                        "-C",
                        "1",
                        "-W",
                        "5")
                .redirectErrorStream(true)
                .start();
        String out = new String(sub.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        sub.waitFor(10, TimeUnit.SECONDS);
        return out.trim();
    }

    @Test
    void aCommandForADeviceOnTheExternalBroker_goesOutInItsDialect_andItsAnswerFinishesIt() throws Exception {
        int port = freePort();
        Process mosquitto = mosquitto(port);
        try (Meterbase a = node("node-a", port)) {
            // GIVEN a Tasmota plug that reports through the external broker and listens for its commands there
            assertThat(publish(port, "tele/plug-7/SENSOR", 50)).isZero();
            await(() -> readings(a) == 2);
            Process listening = new ProcessBuilder(
                            "mosquitto_sub",
                            "-h",
                            "127.0.0.1",
                            "-p",
                            String.valueOf(port),
                            "-u",
                            "plug",
                            "-P",
                            "plug-secret",
                            "-t",
                            "cmnd/plug-7/POWER",
                            "-C",
                            "1",
                            "-W",
                            "30")
                    .redirectErrorStream(true)
                    .start();
            Thread.sleep(500);

            // WHEN its owner switches it off
            ApiClient api = new ApiClient(a.httpPort());
            String key = keys.get("node-a");
            JsonNode command = api.json(
                    "POST",
                    "/api/v1/devices/plug-7/commands",
                    key,
                    ApiClient.JSON.createObjectNode().put("type", "relay_off").toString());

            // THEN the plug gets Tasmota's POWER OFF through the broker, and the command is sent
            assertThat(new String(listening.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
                            .trim())
                    .isEqualTo("OFF");
            String id = command.path("id").asText();
            ApiClient.await(
                    () -> api.json("GET", "/api/v1/commands/" + id, key, null),
                    c -> c.path("status").asText().equals("sent")
                            && c.path("via").asText().equals("mqtt-external"),
                    10);

            // AND the plug's answer, through the broker, finishes it
            assertThat(publishAsPlug(port, "stat/plug-7/POWER", "OFF")).isZero();
            ApiClient.await(
                    () -> api.json("GET", "/api/v1/commands/" + id, key, null),
                    c -> c.path("status").asText().equals("done"),
                    10);
        } finally {
            mosquitto.destroy();
            mosquitto.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static int freePort() throws java.io.IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Mosquitto on loopback with password authentication: user meterbase (the nodes) and plug (the devices). */
    private Process mosquitto(int port) throws Exception {
        if (!Files.isExecutable(Path.of(MOSQUITTO)) || run(List.of("sh", "-c", "command -v mosquitto_passwd")) != 0) {
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException("mosquitto is missing (apt-get install mosquitto)");
            }
            Assumptions.abort("mosquitto is not installed");
        }
        Path passwords = dir.resolve("passwords");
        assertThat(run(List.of("mosquitto_passwd", "-b", "-c", passwords.toString(), "meterbase", "broker-secret")))
                .isZero();
        assertThat(run(List.of("mosquitto_passwd", "-b", passwords.toString(), "plug", "plug-secret")))
                .isZero();
        Path conf = dir.resolve("mosquitto.conf");
        Files.writeString(
                conf,
                "listener " + port + " 127.0.0.1\nallow_anonymous false\npassword_file " + passwords
                        + "\npersistence false\n"
                        // started as root, mosquitto switches to its own user, who cannot read this test's files
                        + ("root".equals(System.getProperty("user.name")) ? "user root\n" : ""));
        Process mosquitto = new ProcessBuilder(MOSQUITTO, "-c", conf.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("mosquitto.log").toFile())
                .start();
        Thread.sleep(500);
        return mosquitto;
    }

    /** A Tasmota plug's telemetry, QoS 1, as the device would publish it. */
    private static int publish(int port, String topic, int watts) throws Exception {
        return publishAsPlug(
                port,
                topic,
                ApiClient.JSON
                        .createObjectNode()
                        .set(
                                "ENERGY",
                                ApiClient.JSON
                                        .createObjectNode()
                                        .put("Power", watts)
                                        .put("Voltage", 230))
                        .toString());
    }

    /** A message published as the plug, QoS 1, with mosquitto_pub. */
    private static int publishAsPlug(int port, String topic, String message) throws Exception {
        return run(List.of(
                "mosquitto_pub",
                "-h",
                "127.0.0.1",
                "-p",
                String.valueOf(port),
                "-V",
                "mqttv5",
                "-q",
                "1",
                "-u",
                "plug",
                "-P",
                "plug-secret",
                "-t",
                topic,
                "-m",
                message));
    }

    @Test
    void sharedSubscription_splitsDeviceMessagesBetweenNodes_andLosesNone() throws Exception {
        int port = freePort();
        Process mosquitto = mosquitto(port);
        try {
            try (Meterbase a = node("node-a", port);
                    Meterbase b = node("node-b", port)) {
                int messages = 20;
                for (int i = 0; i < messages; i++) {
                    assertThat(publish(port, "tele/plug-" + i + "/SENSOR", 10 + i))
                            .isZero();
                }
                await(() -> readings(a) + readings(b) == 2L * messages);

                assertThat(readings(a)).as("node a took a share").isPositive();
                assertThat(readings(b)).as("node b took a share").isPositive();
                List<Long> counts = new ArrayList<>(List.of(readings(a), readings(b)));
                assertThat(counts.get(0) + counts.get(1)).isEqualTo(2L * messages);
            }
        } finally {
            mosquitto.destroy();
            mosquitto.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
