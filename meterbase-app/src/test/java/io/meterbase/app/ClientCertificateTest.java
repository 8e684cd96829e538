package io.meterbase.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Devices with X.509 client certificates, made as a customer would with openssl: the customer's authority signed by
 * the server from a CSR, a device certificate signed by that authority, then uploads with curl over HTTPS and
 * mosquitto_pub over MQTT/TLS, each as that one device, until the certificate or the authority is revoked.
 */
class ClientCertificateTest {

    @TempDir
    Path dir;

    /** How a command ended, and what it printed. */
    private record Run(int exit, String output) {}

    private Run run(String... command) throws Exception {
        Process p = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out);
    }

    private void openssl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Run r = run(command.toArray(String[]::new));
        assertThat(r.exit()).as(r.output()).isZero();
    }

    /** A device's key and certificate for {@code device}, signed by the authority in ca.pem/ca.key; its chain file. */
    private Path device(String device, String authority) throws Exception {
        openssl("ecparam", "-genkey", "-name", "prime256v1", "-noout", "-out", device + ".key");
        openssl("req", "-new", "-key", device + ".key", "-subj", "/CN=" + device, "-out", device + ".csr");
        openssl(
                "x509",
                "-req",
                "-in",
                device + ".csr",
                "-CA",
                authority + ".pem",
                "-CAkey",
                authority + ".key",
                "-CAcreateserial",
                "-days",
                "30",
                "-out",
                device + ".pem");
        Path chain = dir.resolve(device + "-chain.pem");
        Files.writeString(
                chain,
                Files.readString(dir.resolve(device + ".pem")) + Files.readString(dir.resolve(authority + ".pem")));
        return chain;
    }

    /** The HTTP status curl got for an upload of {@code node}'s power, over HTTPS with {@code device}'s chain. */
    private String curl(int port, String device, String method, String path, String node) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                "curl",
                "-s",
                "-o",
                "/dev/null",
                "-w",
                "%{http_code}",
                "--cacert",
                "server.pem",
                "--cert",
                device + "-chain.pem",
                "--key",
                device + ".key",
                "-X",
                method));
        if (node != null) {
            command.addAll(List.of("-H", "Content-Type: application/json", "-d", upload(node)));
        }
        command.add("https://127.0.0.1:" + port + path);
        return run(command.toArray(String[]::new)).output();
    }

    private static String upload(String node) throws Exception {
        return ApiClient.JSON.writeValueAsString(Map.of(
                "ts", System.currentTimeMillis(),
                "nodes",
                        List.of(Map.of(
                                "id",
                                node,
                                "readings",
                                List.of(Map.of("quantity", "active_power", "unit", "W", "value", 42))))));
    }

    /** mosquitto_pub over TLS with {@code device}'s chain and no password, as {@code user} (or no username). */
    private Run publish(int port, String device, String user, String topic) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                "mosquitto_pub",
                "-h",
                "localhost",
                "-p",
                String.valueOf(port),
                "--cafile",
                "server.pem",
                "--cert",
                device + "-chain.pem",
                "--key",
                device + ".key",
                "-V",
                "mqttv5",
                "-q",
                "1",
                "-t",
                topic,
                "-m",
                "{\"ENERGY\":{\"Power\":42,\"Total\":1.5}}",
                "-d"));
        if (user != null) {
            command.addAll(List.of("-u", user));
        }
        return run(command.toArray(String[]::new));
    }

    @Test
    void aDevicesCertificate_fromItsCustomersAuthority_uploadsAsThatDevice_untilRevoked() throws Exception {
        MeterbaseConfig config = TestConfigs.httpOnly(dir)
                .with("http.tls.port", "0")
                .with("http.tls.self-signed", "true")
                .with("tls.client-certificates", "true")
                .with("mqtt.enabled", "true")
                .with("mqtt.port", "0")
                .with("mqtt.tls.port", "0")
                .with("mqtt.tls.websocket-port", "-1");
        try (Meterbase server = Meterbase.start(config, Clock.systemUTC())) {
            ApiClient api = new ApiClient(server.httpPort());
            long customer = server.registry()
                    .createCustomer("Ana", "Flat", null, null, "north", java.time.ZoneId.of("UTC"))
                    .id();
            String key = server.registry()
                    .createKey(customer, io.meterbase.core.model.Role.CUSTOMER, "owner")
                    .secret();
            Files.writeString(dir.resolve("server.pem"), SelfSigned.pem(SelfSigned.certificate(dir.resolve("server"))));
            int https = server.httpsPort();

            // the customer's authority: its key stays with the customer, the server signs its request
            openssl("ecparam", "-genkey", "-name", "prime256v1", "-noout", "-out", "ca.key");
            openssl("req", "-new", "-key", "ca.key", "-subj", "/CN=Ana's devices", "-out", "ca.csr");
            JsonNode authority = api.json(
                    "POST",
                    "/api/v1/certificate-authorities",
                    key,
                    ApiClient.JSON.writeValueAsString(Map.of("csr", Files.readString(dir.resolve("ca.csr")))));
            assertThat(authority.path("certificate").asText())
                    .as(authority.toString())
                    .startsWith("-----BEGIN");
            Files.writeString(
                    dir.resolve("ca.pem"), authority.get("certificate").asText());
            device("plug-1", "ca");
            device("heater", "ca");

            // HTTPS: its own device's readings stored, another device's refused, reading data forbidden
            assertThat(curl(https, "plug-1", "POST", "/api/v1/upload", "plug-1"))
                    .isEqualTo("200");
            assertThat(server.registry().device(customer, "plug-1")).isPresent();
            assertThat(curl(https, "plug-1", "POST", "/api/v1/upload", "plug-2"))
                    .isEqualTo("422");
            assertThat(curl(https, "plug-1", "GET", "/api/v1/latest", null)).isEqualTo("403");

            // MQTT over TLS: no password; its own topics only; another username refused
            Run mqtt = publish(server.mqttTlsPort(), "heater", null, "tele/heater/SENSOR");
            assertThat(mqtt.exit()).as(mqtt.output()).isZero();
            assertThat(mqtt.output()).contains("PUBACK");
            assertThat(server.registry().device(customer, "heater")).isPresent();
            assertThat(publish(server.mqttTlsPort(), "heater", "plug-1", "tele/plug-1/SENSOR")
                            .output())
                    .containsIgnoringCase("not authorized");

            // one certificate revoked by its serial: refused on both transports; the authority's others still work
            String serial = run("openssl", "x509", "-in", "plug-1.pem", "-noout", "-serial")
                    .output()
                    .strip()
                    .replace("serial=", "");
            assertThat(api.send(
                                    "POST",
                                    "/api/v1/certificate-authorities/"
                                            + authority.get("id").asText() + "/revocations",
                                    key,
                                    ApiClient.JSON.writeValueAsString(Map.of("serial", serial)))
                            .statusCode())
                    .isEqualTo(200);
            assertThat(curl(https, "plug-1", "POST", "/api/v1/upload", "plug-1"))
                    .isEqualTo("401");
            assertThat(publish(server.mqttTlsPort(), "plug-1", null, "tele/plug-1/SENSOR")
                            .output())
                    .containsIgnoringCase("not authorized");
            assertThat(curl(https, "heater", "POST", "/api/v1/upload", "heater"))
                    .isEqualTo("200");

            // the authority revoked: none of its certificates works
            assertThat(api.send(
                                    "DELETE",
                                    "/api/v1/certificate-authorities/"
                                            + authority.get("id").asText(),
                                    key,
                                    null)
                            .statusCode())
                    .isEqualTo(200);
            assertThat(curl(https, "heater", "POST", "/api/v1/upload", "heater"))
                    .isEqualTo("401");

            // an authority the server never signed does not get past the TLS handshake
            openssl("ecparam", "-genkey", "-name", "prime256v1", "-noout", "-out", "rogue.key");
            openssl(
                    "req",
                    "-new",
                    "-x509",
                    "-key",
                    "rogue.key",
                    "-subj",
                    "/CN=rogue",
                    "-days",
                    "30",
                    "-out",
                    "rogue.pem");
            device("intruder", "rogue");
            assertThat(curl(https, "intruder", "POST", "/api/v1/upload", "intruder"))
                    .isNotEqualTo("200");
            assertThat(server.registry().device(customer, "intruder")).isEmpty();

            // a device key or another customer cannot make or see authorities
            String deviceKey = server.registry()
                    .createKey(customer, io.meterbase.core.model.KeyScope.DEVICE, "plug-9", "plug", false)
                    .secret();
            assertThat(api.send("GET", "/api/v1/certificate-authorities", deviceKey, null)
                            .statusCode())
                    .isEqualTo(403);
            long other = server.registry()
                    .createCustomer("Ben", "Flat", null, null, "north", java.time.ZoneId.of("UTC"))
                    .id();
            String otherKey = server.registry()
                    .createKey(other, io.meterbase.core.model.Role.CUSTOMER, "owner")
                    .secret();
            assertThat(api.json("GET", "/api/v1/certificate-authorities", otherKey, null))
                    .isEmpty();
            assertThat(api.send(
                                    "DELETE",
                                    "/api/v1/certificate-authorities/"
                                            + authority.get("id").asText(),
                                    otherKey,
                                    null)
                            .statusCode())
                    .isEqualTo(404);
        }
    }

    @Test
    void withoutClientCertificates_theRoutesSaySo() throws Exception {
        try (Meterbase server = Meterbase.start(TestConfigs.httpOnly(dir), Clock.systemUTC())) {
            ApiClient api = new ApiClient(server.httpPort());
            String operator = server.newOperatorSecret().orElseThrow();
            long customer = server.registry()
                    .createCustomer("Ana", "Flat", null, null, "north", java.time.ZoneId.of("UTC"))
                    .id();
            var answer = api.send(
                    "POST",
                    "/api/v1/certificate-authorities",
                    operator,
                    ApiClient.JSON.writeValueAsString(Map.of("customer_id", customer, "csr", "x")));
            assertThat(answer.statusCode()).isEqualTo(409);
            assertThat(answer.body()).contains("tls.client-certificates=true");
        }
    }
}
