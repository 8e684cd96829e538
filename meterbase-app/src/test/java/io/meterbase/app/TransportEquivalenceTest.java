package io.meterbase.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterbase.core.auth.DevicePsk;
import io.meterbase.core.model.Channel;
import io.meterbase.core.model.Customer;
import io.meterbase.core.model.Role;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One SenML pack, sent with the real client of each transport (curl over HTTP, mosquitto_pub over MQTT 5,
 * coap-client over DTLS-PSK), arrives identically: same channels, quantities, units, times and values. And a format
 * that only this test registers, with one line, is taken over all three transports alike.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TransportEquivalenceTest {

    private static final long T = System.currentTimeMillis() / 1000 - 3600;

    @TempDir
    static Path dir;

    private Meterbase server;
    private Customer customer;
    private String key;
    private DevicePsk psk;

    @BeforeAll
    void start() throws Exception {
        for (String tool : List.of("curl", "mosquitto_pub", "coap-client-openssl")) {
            if (new ProcessBuilder("sh", "-c", "command -v " + tool).start().waitFor() != 0) {
                if ("true".equals(System.getenv("CI"))) {
                    throw new IllegalStateException(tool + " is missing");
                }
                Assumptions.abort(tool + " is not installed");
            }
        }
        MeterbaseConfig config = MeterbaseConfig.defaults()
                .with("data.dir", dir.toString())
                .with("http.port", "0")
                .with("mqtt.port", "0")
                .with("coap.port", "0")
                .with("coap.dtls-port", "0");
        server = Meterbase.start(
                config, Clock.systemUTC(), Meterbase.formats(config).register(new PlainWattsDecoder()));
        customer = server.registry().createCustomer("Ana", "Flat", null, null, "north", ZoneId.of("UTC"));
        key = server.registry()
                .createKey(customer.id(), Role.CUSTOMER, "devices")
                .secret();
        psk = DevicePsk.fromFile(dir.resolve("device-psk.secret"));
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** The pack for one device (base name), with a literal '%' written as given. */
    private static String pack(String device, String percent) {
        return "[{\"bn\":\"" + device + "/\",\"bt\":" + T + ",\"n\":\"power\",\"u\":\"W\",\"v\":85.5},"
                + "{\"n\":\"voltage_l1\",\"u\":\"V\",\"v\":231.2,\"t\":1},"
                + "{\"n\":\"humidity\",\"u\":\"" + percent + "RH\",\"v\":45,\"t\":2},"
                + "{\"n\":\"energy\",\"u\":\"kWh\",\"s\":1234.5,\"t\":3}]";
    }

    private static String run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    private void send(String transport, String device) throws Exception {
        switch (transport) {
            case "http" ->
                assertThat(run(List.of(
                                "curl",
                                "-s",
                                "-X",
                                "POST",
                                "-H",
                                "Authorization: Bearer " + key,
                                "-H",
                                "Content-Type: application/senml+json",
                                "--data-binary",
                                pack(device, "%"),
                                "http://127.0.0.1:" + server.httpPort() + "/api/v1/upload?format=senml-json")))
                        .contains("\"accepted\":4");
            case "mqtt" ->
                assertThat(run(List.of(
                                "mosquitto_pub",
                                "-h",
                                "127.0.0.1",
                                "-p",
                                String.valueOf(server.mqttPort()),
                                "-V",
                                "mqttv5",
                                "-q",
                                "1",
                                "-u",
                                "gw-eq",
                                "-P",
                                key,
                                "-t",
                                "meterbase/gw-eq/up",
                                "-m",
                                pack(device, "%"))))
                        .isEmpty();
            case "coap" -> {
                DevicePsk.Identity id = new DevicePsk.Identity(customer.id(), "gw-eq");
                assertThat(run(List.of(
                                "coap-client-openssl",
                                "-m",
                                "post",
                                "-B",
                                "5",
                                "-u",
                                id.text(),
                                "-k",
                                psk.key(id),
                                "-t",
                                "110",
                                "-e",
                                pack(device, "%25"),
                                "coaps://127.0.0.1:" + server.coapDtlsPort() + "/up")))
                        .contains("\"accepted\":4");
            }
            default -> throw new IllegalArgumentException(transport);
        }
    }

    /** Sends {@code watts} in the test-only format for a device, with each transport's real client. */
    private void sendPlainWatts(String transport, String device, String watts) throws Exception {
        switch (transport) {
            case "http" ->
                assertThat(run(List.of(
                                "curl",
                                "-s",
                                "-X",
                                "POST",
                                "-H",
                                "Authorization: Bearer " + key,
                                "--data-binary",
                                watts,
                                "http://127.0.0.1:" + server.httpPort() + "/api/v1/upload?format=plain-watts&device="
                                        + device)))
                        .contains("\"accepted\":1");
            case "mqtt" ->
                assertThat(run(List.of(
                                "mosquitto_pub",
                                "-h",
                                "127.0.0.1",
                                "-p",
                                String.valueOf(server.mqttPort()),
                                "-V",
                                "mqttv5",
                                "-q",
                                "1",
                                "-u",
                                device,
                                "-P",
                                key,
                                "-t",
                                "plainwatts/" + device + "/power",
                                "-m",
                                watts)))
                        .isEmpty();
            case "coap" -> {
                DevicePsk.Identity id = new DevicePsk.Identity(customer.id(), device);
                assertThat(run(List.of(
                                "coap-client-openssl",
                                "-m",
                                "post",
                                "-B",
                                "5",
                                "-u",
                                id.text(),
                                "-k",
                                psk.key(id),
                                "-t",
                                "0",
                                "-e",
                                watts,
                                "coaps://127.0.0.1:" + server.coapDtlsPort() + "/up")))
                        .contains("\"accepted\":1");
            }
            default -> throw new IllegalArgumentException(transport);
        }
    }

    /** What is stored for a device, independent of its name: channel, quantity, unit, time, value. */
    private List<String> stored(String device) {
        List<String> out = new ArrayList<>();
        long id = server.registry().device(customer.id(), device).orElseThrow().id();
        for (Channel c : server.registry().channels(id)) {
            server.store()
                    .readings()
                    .readings(c.id(), 0, Long.MAX_VALUE, 100)
                    .forEach(r -> out.add(c.name() + " "
                            + c.quantity().key() + " " + c.unit().symbol() + " " + c.accumulation() + " "
                            + r.timestamp()
                            + " " + r.value()));
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"http", "mqtt", "coap"})
    void theSameReadings_arriveIdenticallyOverEveryTransport(String transport) throws Exception {
        send(transport, "meter-" + transport);

        assertThat(stored("meter-" + transport))
                .containsExactlyInAnyOrder(
                        "power active_power W INSTANT " + T * 1000 + " 85.5",
                        "voltage_l1 voltage V INSTANT " + (T + 1) * 1000 + " 231.2",
                        "humidity humidity %RH INSTANT " + (T + 2) * 1000 + " 45.0",
                        "energy energy_import Wh CUMULATIVE " + (T + 3) * 1000 + " 1234500.0");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http", "mqtt", "coap"})
    void aFormatRegisteredOnce_isTakenOverEveryTransport(String transport) throws Exception {
        String device = "watts-" + transport;

        sendPlainWatts(transport, device, "42.5");

        List<String> stored = stored(device);
        assertThat(stored).hasSize(1);
        assertThat(stored.get(0)).startsWith("power active_power W INSTANT ").endsWith(" 42.5");
    }
}
