package io.meterbase.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meterbase.core.auth.CommandSignature;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gateway's side of remote connect/disconnect: only genuine, current, first-seen commands switch. */
class GatewayCommandsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private KeyPair server;
    private SimulatedNode meter;
    private final AtomicLong interval = new AtomicLong();

    @BeforeEach
    void start() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        server = g.generateKeyPair();
        meter = new SimulatedNode("meter", 3000, "127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        meter.close();
    }

    private GatewayCommands commands(String keyPem) throws Exception {
        GatewaySettings settings = new GatewaySettings(
                "http://127.0.0.1:9",
                "mbk_test",
                "gw",
                Duration.ofSeconds(10),
                dir,
                10,
                "127.0.0.1",
                0,
                List.of(),
                keyPem);
        Node node = new Node("meter", meter.address(), "main");
        return new GatewayCommands(
                settings, HttpClient.newHttpClient(), name -> name.equals("meter") ? node : null, interval::set);
    }

    private ObjectNode signed(String id, String type, long expiresAt) {
        long issued = System.currentTimeMillis();
        String nonce = "n-" + id;
        ObjectNode c = JSON.createObjectNode();
        c.put("id", id);
        c.put("node", "meter");
        c.put("type", type);
        c.put("relay", type.equals("connect") ? "on" : "off");
        c.put("issued_at", issued);
        c.put("expires_at", expiresAt);
        c.put("nonce", nonce);
        c.put(
                "signature",
                CommandSignature.sign(
                        server.getPrivate(), CommandSignature.canonical(id, "meter", type, issued, expiresAt, nonce)));
        return c;
    }

    private String pem() {
        return CommandSignature.pem(server.getPublic());
    }

    @Test
    void aGenuineDisconnectSwitchesTheMeterOff() throws Exception {
        GatewayCommands commands = commands(pem());

        GatewayCommands.Outcome o = commands.carryOut(signed("c1", "disconnect", System.currentTimeMillis() + 60_000));

        assertThat(o.done()).as(o.detail()).isTrue();
        assertThat(o.relay()).isEqualTo("off");
        assertThat(meter.relayOn()).isFalse();
    }

    @Test
    void aTamperedCommandIsRefusedAndChangesNothing() throws Exception {
        GatewayCommands commands = commands(pem());
        ObjectNode c = signed("c2", "connect", System.currentTimeMillis() + 60_000);
        commands.carryOut(signed("c0", "disconnect", System.currentTimeMillis() + 60_000));
        assertThat(meter.relayOn()).isFalse();

        ObjectNode otherAction = c.deepCopy().put("type", "disconnect");
        ObjectNode longerLife = c.deepCopy().put("expires_at", System.currentTimeMillis() + 86_400_000L);
        ObjectNode otherNode = c.deepCopy().put("node", "meter2");
        ObjectNode noSignature = c.deepCopy();
        noSignature.remove("signature");

        for (ObjectNode tampered : List.of(otherAction, longerLife, noSignature)) {
            GatewayCommands.Outcome o = commands.carryOut(tampered);
            assertThat(o.done()).isFalse();
            assertThat(o.detail()).contains("signature");
        }
        assertThat(commands.carryOut(otherNode).done()).isFalse();
        assertThat(meter.relayOn()).as("still disconnected").isFalse();

        // the untouched command goes through
        assertThat(commands.carryOut(c).done()).isTrue();
        assertThat(meter.relayOn()).isTrue();
    }

    @Test
    void aReplayedCommandIsRefusedEvenAfterARestart() throws Exception {
        ObjectNode c = signed("c3", "disconnect", System.currentTimeMillis() + 60_000);
        assertThat(commands(pem()).carryOut(c).done()).isTrue();
        meter.setRelay(true); // someone reconnected locally

        GatewayCommands.Outcome again = commands(pem()).carryOut(c);

        assertThat(again.done()).isFalse();
        assertThat(again.detail()).contains("replayed");
        assertThat(meter.relayOn()).isTrue();
    }

    @Test
    void expiredCommandsAndGatewaysWithoutAKeyRefuse() throws Exception {
        GatewayCommands.Outcome expired =
                commands(pem()).carryOut(signed("c4", "disconnect", System.currentTimeMillis() - 1));
        assertThat(expired.detail()).contains("expired");
        GatewayCommands.Outcome noKey =
                commands(null).carryOut(signed("c5", "disconnect", System.currentTimeMillis() + 60_000));
        assertThat(noKey.detail()).contains("no server signing key");
        assertThat(meter.relayOn()).isTrue();
    }

    @Test
    void unsignedRelayAndIntervalCommandsNeedNoSignature() throws Exception {
        GatewayCommands commands = commands(null);
        ObjectNode off = JSON.createObjectNode()
                .put("id", "r1")
                .put("node", "meter")
                .put("type", "relay_off")
                .put("relay", "off");
        assertThat(commands.carryOut(off).done()).isTrue();
        assertThat(meter.relayOn()).isFalse();
        ObjectNode toggle = JSON.createObjectNode()
                .put("id", "r2")
                .put("node", "meter")
                .put("type", "relay_toggle")
                .put("relay", "toggle");
        assertThat(commands.carryOut(toggle).relay()).isEqualTo("on");
        ObjectNode every = JSON.createObjectNode().put("id", "r3").put("type", "set_interval");
        every.putObject("params").put("seconds", 30);
        assertThat(commands.carryOut(every).done()).isTrue();
        assertThat(interval.get()).isEqualTo(30);
        ObjectNode unknownNode = JSON.createObjectNode()
                .put("id", "r4")
                .put("node", "nope")
                .put("type", "relay_on")
                .put("relay", "on");
        assertThat(commands.carryOut(unknownNode).detail()).contains("no node");
    }
}
