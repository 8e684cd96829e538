package io.meterbase.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import io.meterbase.core.model.Customer;
import io.meterbase.core.model.Role;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneId;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Input as an attacker or a broken device sends it, over HTTP and MQTT: it is answered with a reason, kept within
 * its quota, and never crashes a handler, leaves a sender unanswered or holds a connection.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileInputTest {

    private static final String POISON = "{\"ts\":\"+999999999-12-31T23:59:59Z\",\"nodes\":[{\"id\":\"p1\","
            + "\"readings\":[{\"quantity\":\"voltage\",\"unit\":\"V\",\"value\":230}]}]}";

    @TempDir
    static Path dir;

    private Meterbase server;
    private Customer customer;
    private String key;
    private ApiClient api;

    @BeforeAll
    void start() {
        server = Meterbase.start(
                MeterbaseConfig.defaults()
                        .with("data.dir", dir.toString())
                        .with("http.port", "0")
                        .with("mqtt.port", "0")
                        .with("mqtt.max-packet-bytes", "1MB")
                        .with("coap.enabled", "false")
                        .with("analytics.enabled", "false")
                        .with("http.header-timeout", "PT1S")
                        .with("http.idle-timeout", "PT2S")
                        .with("quarantine.full-per-hour", "5")
                        .with("ingest.rate-limit.unauthenticated-per-minute", "20"),
                Clock.systemUTC());
        customer = server.registry().createCustomer("Ana", "Flat", null, null, "north", ZoneId.of("UTC"));
        key = server.registry()
                .createKey(customer.id(), Role.CUSTOMER, "devices")
                .secret();
        api = new ApiClient(server.httpPort());
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void poisonTimestampOverHttp_isRefusedWithItsReason_andQuarantined() throws Exception {
        HttpResponse<String> r = api.send("POST", "/api/v1/upload", key, POISON);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(r.body()).contains("malformed_payload", "out of range");
        assertThat(server.store().readings().quarantined("malformed_payload", 100))
                .anySatisfy(q -> assertThat(q.payload()).contains("+999999999"));
    }

    @Test
    void poisonTimestampOverMqtt5_getsANegativeAcknowledgementWithAShortReason() {
        Mqtt5BlockingClient client = Mqtt5Client.builder()
                .identifier("poison5")
                .serverHost("127.0.0.1")
                .serverPort(server.mqttPort())
                .simpleAuth()
                .username("p5")
                .password(key.getBytes(StandardCharsets.UTF_8))
                .applySimpleAuth()
                .buildBlocking();
        client.connect();
        try {
            Assertions.assertThatThrownBy(() -> client.publishWith()
                            .topic("meterbase/p5/up")
                            .qos(MqttQos.AT_LEAST_ONCE)
                            .payload(POISON.getBytes(StandardCharsets.UTF_8))
                            .send())
                    .isInstanceOfSatisfying(Mqtt5PubAckException.class, e -> {
                        assertThat(e.getMqttMessage().getReasonCode())
                                .isEqualTo(Mqtt5PubAckReasonCode.PAYLOAD_FORMAT_INVALID);
                        assertThat(e.getMqttMessage().getReasonString())
                                .hasValueSatisfying(
                                        s -> assertThat(s.toString()).contains("out of range"));
                    });
            // a reason of any length reaches the client cut to a bounded size
            String longGarbage = "{\"nodes\":[{\"id\":\"p5\",\"readings\":[{\"quantity\":\"voltage\",\"value\":1,"
                    + "\"ts\":\"" + "9".repeat(100_000) + "\"}]}]}";
            Assertions.assertThatThrownBy(() -> client.publishWith()
                            .topic("meterbase/p5/up")
                            .qos(MqttQos.AT_LEAST_ONCE)
                            .payload(longGarbage.getBytes(StandardCharsets.UTF_8))
                            .send())
                    .isInstanceOfSatisfying(Mqtt5PubAckException.class, e -> assertThat(e.getMqttMessage()
                                    .getReasonString()
                                    .orElseThrow()
                                    .toString()
                                    .length())
                            .isLessThanOrEqualTo(256));
        } finally {
            client.disconnect();
        }
    }

    @Test
    void poisonTimestampOverMqtt311_isAcknowledgedOnce_soTheDeviceDoesNotSendItForever() {
        Mqtt3BlockingClient client = Mqtt3Client.builder()
                .identifier("poison3")
                .serverHost("127.0.0.1")
                .serverPort(server.mqttPort())
                .simpleAuth()
                .username("p3")
                .password(key.getBytes(StandardCharsets.UTF_8))
                .applySimpleAuth()
                .buildBlocking();
        client.connect();
        try {
            long before = System.nanoTime();
            client.publishWith()
                    .topic("meterbase/p3/up")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .payload(POISON.getBytes(StandardCharsets.UTF_8))
                    .send();
            assertThat(System.nanoTime() - before).isLessThan(TimeUnit.SECONDS.toNanos(5));
        } finally {
            client.disconnect();
        }
        assertThat(server.store().readings().quarantined("malformed_payload", 100))
                .anySatisfy(q -> assertThat(q.source()).contains("poison3"));
    }

    @Test
    void publishLargerThanTheMaximumPacket_closesThatConnectionOnly() throws Exception {
        // GIVEN a client that announces a 64 MiB publish (MQTT 3.1.1, which has no size in its CONNACK)
        try (Socket s = new Socket("127.0.0.1", server.mqttPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(connect311("big", "big", key));
            InputStream in = s.getInputStream();
            assertThat(in.readNBytes(4)).containsExactly(0x20, 0x02, 0x00, 0x00); // CONNACK accepted
            ByteArrayOutputStream header = new ByteArrayOutputStream();
            header.write(0x32); // PUBLISH, QoS 1
            writeRemainingLength(header, 64 * 1024 * 1024);
            out.write(header.toByteArray());
            // WHEN it streams the payload, THEN the broker closes the connection long before it is sent
            long sent = 0;
            byte[] chunk = new byte[64 * 1024];
            try {
                while (sent < 64L * 1024 * 1024) {
                    out.write(chunk);
                    sent += chunk.length;
                }
                assertThat(in.read()).as("the broker closed the connection").isEqualTo(-1);
            } catch (SocketException e) {
                // closed while writing
            }
            assertThat(sent).isLessThan(64L * 1024 * 1024);
        }
        // the broker still serves others
        JsonNode health = api.json("GET", "/health", null, null);
        assertThat(health.at("/checks/mqtt/status").asText()).isEqualTo("UP");
    }

    @Test
    void hostileReferences_areRefusedWithAReason_andNoDeviceIsCreated() throws Exception {
        String[] refs = {"\\u0000", "\\u202eplug", "$SYS", "../../etc/passwd", "x".repeat(200), "a#b"};
        for (String ref : refs) {
            HttpResponse<String> r = api.send(
                    "POST",
                    "/api/v1/upload",
                    key,
                    "{\"nodes\":[{\"id\":\"" + ref + "\",\"readings\":[{\"quantity\":\"voltage\",\"value\":230,"
                            + "\"ts\":" + System.currentTimeMillis() + "}]}]}");
            assertThat(r.statusCode()).as(ref + ": " + r.body()).isEqualTo(422);
            assertThat(r.body()).contains("invalid_reference");
        }
        assertThat(server.registry().devices(customer.id()))
                .noneSatisfy(d -> assertThat(d.ref()).containsAnyOf("\u0000", "\u202e", "$", "/", "#"));
    }

    @Test
    void floodOfUnauthenticatedUploads_isRefusedUnread_andKeptWithinItsQuota() throws Exception {
        String body = "x".repeat(1024 * 1024);
        int unauthorized = 0;
        int limited = 0;
        long before = System.nanoTime();
        for (int i = 0; i < 60; i++) {
            int status =
                    api.send("POST", "/api/v1/upload", "mbk_wrong" + i, body).statusCode();
            unauthorized += status == 401 ? 1 : 0;
            limited += status == 429 ? 1 : 0;
        }
        long kept = server.store().readings().quarantined("unauthorized", 10_000).stream()
                .filter(q -> q.source().startsWith("http 127.0.0.1"))
                .count();

        assertThat(unauthorized).isEqualTo(20); // the address's allowance a minute
        assertThat(limited).isEqualTo(40);
        assertThat(kept).isEqualTo(5); // the quota per source and reason an hour
        assertThat(server.store()
                        .readings()
                        .quarantined("unauthorized", 10)
                        .get(0)
                        .payload()
                        .length())
                .isLessThanOrEqualTo(4096 + 40);
        assertThat(System.nanoTime() - before).isLessThan(TimeUnit.SECONDS.toNanos(30));
        String metrics = api.send("GET", "/metrics", null, null).body();
        assertThat(metrics).containsPattern("meterbase_quarantine_counted_total [1-9]");
        assertThat(metrics).containsPattern("meterbase_ingest_refused_total\\{why=\"unauthenticated\"} [1-9]");
    }

    @Test
    void headersSentOneByteAtATime_closeTheConnection() throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.httpPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            byte[] request = "GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII);
            long start = System.nanoTime();
            boolean closed = false;
            for (int i = 0; i < 100 && !closed; i++) {
                try {
                    out.write(request[i % request.length]);
                    out.flush();
                    Thread.sleep(200);
                    closed = s.getInputStream().available() == 0 && peekClosed(s);
                } catch (IOException e) {
                    closed = true;
                }
            }
            assertThat(closed).as("the server closed the slow connection").isTrue();
            assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(5));
        }
    }

    @Test
    void bodyThatStopsComing_isAnsweredWithin_theIdleTimeout() throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.httpPort())) {
            s.setSoTimeout(15_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /api/v1/upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key
                            + "\r\nContent-Length: 1000\r\n\r\n{\"nodes\":")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long start = System.nanoTime();
            String answer = new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            assertThat(answer).startsWith("HTTP/1.1 4");
            assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(8));
        }
    }

    /** Whether the peer has closed: a read that returns -1 at once. */
    private static boolean peekClosed(Socket s) throws IOException {
        s.setSoTimeout(1);
        try {
            return s.getInputStream().read() == -1;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } finally {
            s.setSoTimeout(10_000);
        }
    }

    /** An MQTT 3.1.1 CONNECT with a username and password. */
    private static byte[] connect311(String clientId, String user, String password) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(body);
        d.writeUTF("MQTT");
        d.writeByte(4);
        d.writeByte(0xC2); // username, password, clean session
        d.writeShort(30);
        d.writeUTF(clientId);
        d.writeUTF(user);
        d.writeUTF(password);
        ByteArrayOutputStream packet = new ByteArrayOutputStream();
        packet.write(0x10);
        writeRemainingLength(packet, body.size());
        body.writeTo(packet);
        return packet.toByteArray();
    }

    private static void writeRemainingLength(ByteArrayOutputStream out, int length) {
        do {
            int digit = length % 128;
            length /= 128;
            out.write(length > 0 ? digit | 0x80 : digit);
        } while (length > 0);
    }
}
