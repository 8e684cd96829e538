package io.meterbase.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS as a careful installation runs it: the self-signed key kept private with a random password, plain HTTP
 * redirected or off, and answers that browsers and proxies neither cache nor sniff.
 */
class TransportSecurityTest {

    @TempDir
    Path dir;

    private MeterbaseConfig https(String plain) {
        return TestConfigs.httpOnly(dir)
                .with("http.tls.port", "0")
                .with("http.tls.self-signed", "true")
                .with("http.plain", plain);
    }

    @Test
    void selfSignedKey_isPrivate_withARandomPassword_keptAcrossRestarts() throws Exception {
        Path tls = dir.resolve("server/tls");
        String password;
        try (Meterbase server = Meterbase.start(https("on"), Clock.systemUTC())) {
            assertThat(server.httpsPort()).isPositive();
            for (String file : new String[] {"self-signed.p12", "self-signed.password"}) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tls.resolve(file))))
                        .as(file)
                        .isEqualTo("rw-------");
            }
            password = Files.readString(tls.resolve("self-signed.password")).strip();
            assertThat(password).hasSize(48).isNotEqualTo("meterbase-self-signed");
        }
        try (Meterbase again = Meterbase.start(https("on"), Clock.systemUTC())) {
            assertThat(Files.readString(tls.resolve("self-signed.password")).strip())
                    .isEqualTo(password);
            assertThat(client().send(get(again.httpsPort(), "https", "/health"), HttpResponse.BodyHandlers.ofString())
                            .statusCode())
                    .isEqualTo(200);
        }
    }

    @Test
    void plainHttpRedirected_andAnswersCarryTheSecurityHeaders() throws Exception {
        try (Meterbase server = Meterbase.start(https("redirect"), Clock.systemUTC())) {
            HttpClient client = client();

            // plain HTTP serves nothing: every request is sent to the same path over HTTPS
            HttpResponse<String> plain = client.send(
                    get(server.httpPort(), "http", "/api/v1/energy?period=day"), HttpResponse.BodyHandlers.ofString());
            assertThat(plain.statusCode()).isEqualTo(308);
            assertThat(plain.headers().firstValue("Location"))
                    .contains("https://127.0.0.1:" + server.httpsPort() + "/api/v1/energy?period=day");
            assertThat(plain.body()).doesNotContain("error");

            // an API answer over HTTPS: HSTS, no sniffing, no caching, and no class name in an error
            HttpResponse<String> api = client.send(
                    get(server.httpsPort(), "https", "/api/v1/energy"), HttpResponse.BodyHandlers.ofString());
            assertThat(api.statusCode()).isEqualTo(401);
            assertThat(api.headers().firstValue("Strict-Transport-Security")).contains("max-age=31536000");
            assertThat(api.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
            assertThat(api.headers().firstValue("Cache-Control")).contains("no-store");

            // a page: its own cache rule (revalidated, not forbidden), still not sniffed
            HttpResponse<String> page = client.send(
                    get(server.httpsPort(), "https", "/customer.html"), HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.headers().allValues("Cache-Control")).containsExactly("no-cache");
            assertThat(page.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
        }
    }

    @Test
    void plainHttpForLoopback_servesThisMachine() throws Exception {
        try (Meterbase server = Meterbase.start(https("loopback"), Clock.systemUTC())) {
            // this test's client is on this machine: served in plain (local tools and scripts keep working)
            HttpResponse<String> local =
                    client().send(get(server.httpPort(), "http", "/health"), HttpResponse.BodyHandlers.ofString());
            assertThat(local.statusCode()).isEqualTo(200);
            // (a client on another machine is answered 308, as with http.plain=redirect; see the test above)
        }
    }

    @Test
    void plainHttpOff_opensNoPlainListener_andNeedsHttps() throws Exception {
        try (Meterbase server = Meterbase.start(https("off"), Clock.systemUTC())) {
            assertThat(server.httpPort()).isEqualTo(-1);
            assertThat(client().send(get(server.httpsPort(), "https", "/health"), HttpResponse.BodyHandlers.ofString())
                            .statusCode())
                    .isEqualTo(200);
        }
        assertThatThrownBy(
                        () -> Meterbase.start(TestConfigs.httpOnly(dir).with("http.plain", "off"), Clock.systemUTC()))
                .hasMessageContaining("http.plain=off needs HTTPS");
    }

    @Test
    void mqttOverTls_withTheHttpsKey_takesADevicesReadings_andPlainMqttCanBeOff() throws Exception {
        MeterbaseConfig config = https("off")
                .with("mqtt.enabled", "true")
                .with("mqtt.port", "0")
                .with("mqtt.plain", "off")
                .with("mqtt.tls.port", "0")
                .with("mqtt.tls.websocket-port", "0");
        try (Meterbase server = Meterbase.start(config, Clock.systemUTC())) {
            assertThat(server.mqttPort()).isEqualTo(-1);
            assertThat(server.mqttTlsPort()).isPositive();
            long customer = server.registry()
                    .createCustomer("Tls", "Home", null, null, "north", java.time.ZoneId.of("UTC"))
                    .id();
            String key = server.registry()
                    .createKey(customer, io.meterbase.core.model.KeyScope.DEVICE, "plug-1", "plug", false)
                    .secret();
            Path ca = dir.resolve("ca.pem");
            Files.writeString(ca, SelfSigned.pem(certificate()));

            // a device publishing over TLS, checking the server's certificate, is stored
            Run stored = publish(server.mqttTlsPort(), ca, key, "tele/plug-1/SENSOR");
            assertThat(stored.exit()).as(stored.output()).isZero();
            String said = stored.output();
            assertThat(said).contains("PUBACK");
            assertThat(server.registry().device(customer, "plug-1")).isPresent();

            // the same device key publishing on another device's topic is refused (MQTT 5: negative PUBACK)
            String otherSaid =
                    publish(server.mqttTlsPort(), ca, key, "tele/plug-2/SENSOR").output();
            assertThat(otherSaid).containsIgnoringCase("not authorized");
            assertThat(server.registry().device(customer, "plug-2")).isEmpty();

            // plain MQTT on the TLS port is not understood
            assertThat(publish(server.mqttTlsPort(), null, key, "tele/plug-1/SENSOR")
                            .exit())
                    .isNotZero();

            // the WebSocket listener speaks TLS with the same certificate
            javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket)
                    sslContext().getSocketFactory().createSocket("127.0.0.1", server.mqttWebsocketPort());
            try (socket) {
                socket.startHandshake();
                assertThat(socket.getSession().getPeerCertificates()[0]).isEqualTo(certificate());
            }
        }
    }

    @Test
    void malformedBodies_areAnsweredWithoutNamingTheServersClasses() throws Exception {
        try (Meterbase server = Meterbase.start(TestConfigs.httpOnly(dir), Clock.systemUTC())) {
            String operator = server.newOperatorSecret().orElseThrow();
            for (String path : new String[] {"/api/v1/customers", "/api/v1/tariffs", "/api/v1/upload"}) {
                HttpResponse<String> r = HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path))
                                        .header("Authorization", "Bearer " + operator)
                                        .POST(HttpRequest.BodyPublishers.ofString("{\"name\": [1, }"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(path).isBetween(400, 499);
                assertThat(r.body()).as(path).doesNotContain("com.fasterxml", "java.", "Exception", "io.meterbase");
            }
        }
    }

    /** How a mosquitto_pub run ended, and what it said. */
    private record Run(int exit, String output) {}

    /**
     * Publishes a plug's message as plug-1 with mosquitto_pub: over TLS checking the server's certificate against
     * {@code ca}, or in plain MQTT when {@code ca} is null.
     */
    private static Run publish(int port, @org.jspecify.annotations.Nullable Path ca, String key, String topic)
            throws Exception {
        List<String> command = new java.util.ArrayList<>(
                List.of("mosquitto_pub", "-h", ca == null ? "127.0.0.1" : "localhost", "-p", String.valueOf(port)));
        if (ca != null) {
            command.addAll(List.of("--cafile", ca.toString()));
        }
        command.addAll(List.of(
                "-V",
                "mqttv5",
                "-q",
                "1",
                "-u",
                "plug-1",
                "-P",
                key,
                "-t",
                topic,
                "-m",
                "{\"ENERGY\":{\"Power\":42,\"Total\":1.5}}",
                "-d"));
        Process pub = new ProcessBuilder(command).redirectErrorStream(true).start();
        String said = new String(pub.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        return new Run(pub.waitFor(), said);
    }

    private static HttpRequest get(int port, String scheme, String path) {
        return HttpRequest.newBuilder(URI.create(scheme + "://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10))
                .build();
    }

    /** The server's self-signed certificate. */
    private java.security.cert.Certificate certificate() throws Exception {
        return SelfSigned.certificate(dir.resolve("server"));
    }

    /** TLS that trusts the server's self-signed certificate and nothing else. */
    private SSLContext sslContext() throws Exception {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("meterbase", certificate());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trusted);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return ssl;
    }

    /** A client that trusts the server's self-signed certificate (and nothing else), following no redirect. */
    private HttpClient client() throws Exception {
        return HttpClient.newBuilder()
                .sslContext(sslContext())
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }
}
