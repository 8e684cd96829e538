package io.meterbase.app;

import static org.assertj.core.api.Assertions.assertThat;

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

    private Meterbase node(String name, int brokerPort) {
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
    void sharedSubscription_splitsDeviceMessagesBetweenNodes_andLosesNone() throws Exception {
        if (!Files.isExecutable(Path.of(MOSQUITTO)) || run(List.of("sh", "-c", "command -v mosquitto_passwd")) != 0) {
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException("mosquitto is missing (apt-get install mosquitto)");
            }
            Assumptions.abort("mosquitto is not installed");
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
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
        try {
            Thread.sleep(500);
            try (Meterbase a = node("node-a", port);
                    Meterbase b = node("node-b", port)) {
                int messages = 20;
                for (int i = 0; i < messages; i++) {
                    assertThat(run(List.of(
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
                                    "tele/plug-" + i + "/SENSOR",
                                    "-m",
                                    "{\"ENERGY\":{\"Power\":" + (10 + i) + ",\"Voltage\":230}}")))
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
