package io.meterbase.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterbase.core.auth.DevicePsk;
import io.meterbase.core.model.Channel;
import io.meterbase.core.model.Customer;
import io.meterbase.core.model.KeyScope;
import io.meterbase.core.model.Reading;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * CoAP uploads with libcoap's coap-client over DTLS-PSK. coap-client exits 0 even when it fails, so the tests
 * read its output and the store.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CoapTransportTest {

    @TempDir
    static Path dir;

    private Meterbase server;
    private Customer customer;
    private DevicePsk psk;

    @BeforeAll
    void start() throws Exception {
        boolean installed = new ProcessBuilder("sh", "-c", "command -v coap-client-openssl")
                        .start()
                        .waitFor()
                == 0;
        if (!installed) {
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException("coap-client-openssl is missing (apt-get install libcoap3-bin)");
            }
            Assumptions.abort("coap-client-openssl is not installed (apt-get install libcoap3-bin)");
        }
        server = Meterbase.start(
                MeterbaseConfig.defaults()
                        .with("data.dir", dir.toString())
                        .with("http.port", "0")
                        .with("mqtt.enabled", "false")
                        .with("coap.port", "0")
                        .with("coap.dtls-port", "0"),
                Clock.systemUTC());
        customer = server.registry().createCustomer("Ana", "Flat", null, null, "north", ZoneId.of("UTC"));
        psk = DevicePsk.fromFile(dir.resolve("device-psk.secret"));
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** Runs a libcoap client; {@code -e} text is percent-decoded by libcoap, so a literal % is written %25. */
    private String coap(String tool, String identity, String key, String contentFormat, String payload, String uri)
            throws Exception {
        List<String> cmd = new ArrayList<>(List.of(tool, "-m", "post", "-B", "5"));
        if (identity != null) {
            cmd.addAll(List.of("-u", identity, "-k", key));
        }
        cmd.addAll(List.of("-t", contentFormat, "-e", payload, uri));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    private String uri() {
        return "coaps://127.0.0.1:" + server.coapDtlsPort() + "/up";
    }

    private Optional<Reading> latest(String device, String channel) {
        return server.registry()
                .device(customer.id(), device)
                .flatMap(d -> server.registry().channel(d.id(), channel))
                .map(Channel::id)
                .flatMap(id -> server.store().readings().readings(id, 0, Long.MAX_VALUE, 100).stream()
                        .reduce((a, b) -> b));
    }

    @Test
    void senmlOverDtlsPsk_isStoredForTheKeysDevice() throws Exception {
        DevicePsk.Identity id = new DevicePsk.Identity(customer.id(), "balcony-sensor");

        String out = coap(
                "coap-client-openssl",
                id.text(),
                psk.key(id),
                "110",
                "[{\"n\":\"temperature\",\"u\":\"Cel\",\"v\":18.5},{\"n\":\"humidity\",\"u\":\"%25RH\",\"v\":61}]",
                uri());

        assertThat(out).contains("\"accepted\":2");
        assertThat(latest("balcony-sensor", "temperature"))
                .get()
                .extracting(Reading::value)
                .isEqualTo(18.5);
    }

    @Test
    void meterbaseJsonOverDtlsPsk() throws Exception {
        DevicePsk.Identity id = new DevicePsk.Identity(customer.id(), "gw-coap");
        String body = "{\"ts\":" + System.currentTimeMillis() + ",\"nodes\":[{\"id\":\"coap-plug\",\"readings\":["
                + "{\"quantity\":\"active_power\",\"unit\":\"W\",\"value\":42}]}]}";

        String out = coap("coap-client-openssl", id.text(), psk.key(id), "50", body, uri());

        assertThat(out).contains("\"accepted\":1");
        assertThat(latest("coap-plug", "active_power"))
                .get()
                .extracting(Reading::value)
                .isEqualTo(42.0);
    }

    @Test
    void aDeviceKeysPsk_uploadsForItsDeviceOnly_andEndsWhenTheKeyIsRevoked() throws Exception {
        long keyId = server.registry()
                .createKey(customer.id(), KeyScope.DEVICE, "psk-plug", "plug", false)
                .key()
                .id();
        String identity = DevicePsk.keyIdentity(keyId);
        String key = psk.keyOfApiKey(keyId);

        String own = coap(
                "coap-client-openssl", identity, key, "110", "[{\"n\":\"active_power\",\"u\":\"W\",\"v\":7}]", uri());
        String other = coap("coap-client-openssl", identity, key, "50", nodeUpload(null, "psk-other", 5), uri());
        server.registry().revokeKey(keyId);
        String revoked = coap(
                "coap-client-openssl", identity, key, "110", "[{\"n\":\"active_power\",\"u\":\"W\",\"v\":8}]", uri());

        assertThat(own).contains("\"accepted\":1");
        assertThat(latest("psk-plug", "active_power"))
                .get()
                .extracting(Reading::value)
                .isEqualTo(7.0);
        assertThat(other).contains("\"accepted\":0").contains("\"rejected\":1");
        assertThat(server.registry().device(customer.id(), "psk-other")).isEmpty();
        assertThat(revoked).doesNotContain("accepted"); // the handshake fails
        assertThat(latest("psk-plug", "active_power"))
                .get()
                .extracting(Reading::value)
                .isEqualTo(7.0);
    }

    @Test
    void aGatewayKeysPsk_uploadsThroughItsGatewayOnly() throws Exception {
        long keyId = server.registry()
                .createKey(customer.id(), KeyScope.GATEWAY, "gw-psk", "gateway", false)
                .key()
                .id();
        String identity = DevicePsk.keyIdentity(keyId);

        String through = coap(
                "coap-client-openssl",
                identity,
                psk.keyOfApiKey(keyId),
                "50",
                nodeUpload("gw-psk", "meter-psk", 11),
                uri());
        String elsewhere = coap(
                "coap-client-openssl",
                identity,
                psk.keyOfApiKey(keyId),
                "50",
                nodeUpload("gw-else", "meter-else", 12),
                uri());

        assertThat(through).contains("\"accepted\":1");
        assertThat(latest("meter-psk", "active_power"))
                .get()
                .extracting(Reading::value)
                .isEqualTo(11.0);
        assertThat(elsewhere).contains("\"accepted\":0");
        assertThat(server.registry().device(customer.id(), "meter-else")).isEmpty();
    }

    /** A Meterbase JSON upload of one node's power, through {@code gateway} when not null. */
    private static String nodeUpload(String gateway, String node, double watts) throws Exception {
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        var body = mapper.createObjectNode();
        if (gateway != null) {
            body.put("gateway", gateway);
        }
        body.put("ts", System.currentTimeMillis());
        var reading = body.putArray("nodes").addObject();
        reading.put("id", node);
        reading.putArray("readings")
                .addObject()
                .put("quantity", "active_power")
                .put("unit", "W")
                .put("value", watts);
        return mapper.writeValueAsString(body);
    }

    @Test
    void wrongKey_failsTheHandshakeAndStoresNothing() throws Exception {
        DevicePsk.Identity id = new DevicePsk.Identity(customer.id(), "sneaky");

        String out = coap(
                "coap-client-openssl",
                id.text(),
                "0123456789abcdef0123456789abcdef",
                "110",
                "[{\"n\":\"temperature\",\"u\":\"Cel\",\"v\":1}]",
                uri());

        assertThat(out).doesNotContain("accepted");
        assertThat(server.registry().device(customer.id(), "sneaky")).isEmpty();
    }

    @Test
    void plainCoap_isRefusedWithTheReason() throws Exception {
        String out = coap(
                "coap-client-notls",
                null,
                null,
                "110",
                "[{\"n\":\"x\",\"u\":\"Cel\",\"v\":1}]",
                "coap://127.0.0.1:" + server.coapPort() + "/up");

        assertThat(out).contains("4.01").contains("coaps");
    }

    @Test
    void malformedPayload_getsTheReasonAndIsQuarantined() throws Exception {
        DevicePsk.Identity id = new DevicePsk.Identity(customer.id(), "bad-sensor");

        String out = coap("coap-client-openssl", id.text(), psk.key(id), "110", "[{\"n\":", uri());

        assertThat(out).contains("4.00");
        assertThat(server.store().readings().quarantined("malformed_payload", 10))
                .anySatisfy(q -> assertThat(q.source()).contains(id.text()));
    }

    @Test
    void aQueuedCommandRidesOnTheNextCoapAnswer_andTheDeviceAcknowledgesOverCoap() throws Exception {
        DevicePsk.Identity id = new DevicePsk.Identity(customer.id(), "coap-heater");
        String reading = "[{\"n\":\"active_power\",\"u\":\"W\",\"v\":1800}]";
        assertThat(coap("coap-client-openssl", id.text(), psk.key(id), "110", reading, uri()))
                .contains("\"commands\":[]");
        var command = server.control()
                .commands()
                .submit(new io.meterbase.services.command.CommandService.Request(
                        customer.id(),
                        "coap-heater",
                        io.meterbase.core.api.command.CommandType.RELAY_OFF,
                        null,
                        "customer",
                        null,
                        null));

        String answer = coap("coap-client-openssl", id.text(), psk.key(id), "110", reading, uri());

        assertThat(answer).contains("\"id\":\"" + command.id() + "\"").contains("\"relay\":\"off\"");
        assertThat(server.control().commands().get(command.id()).orElseThrow().via())
                .isEqualTo("coap");
        coap(
                "coap-client-openssl",
                id.text(),
                psk.key(id),
                "50",
                "{\"id\":\"" + command.id() + "\",\"status\":\"done\",\"relay\":\"off\"}",
                "coaps://127.0.0.1:" + server.coapDtlsPort() + "/ack");
        assertThat(server.control().commands().get(command.id()).orElseThrow().status())
                .isEqualTo(io.meterbase.core.api.command.CommandStatus.DONE);
        assertThat(server.control().commands().relay(customer.id(), "coap-heater"))
                .get()
                .satisfies(r -> assertThat(r.on()).isFalse());
    }
}
