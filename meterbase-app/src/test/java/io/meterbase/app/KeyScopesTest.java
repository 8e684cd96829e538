package io.meterbase.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keys that reach only what they are for: a device key uploads for its device only, a gateway key through its
 * gateway only, a read-only key reads, a support operator reads; rotation keeps the old key for its overlap; over
 * MQTT a device key fixes the username, and a client id stays with the account that uses it. Before, every key of a
 * customer could do everything the customer could.
 */
class KeyScopesTest {

    @TempDir
    Path dir;

    /** A new customer made by the operator, with its first key. */
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();

    private static JsonNode newCustomer(ApiClient api, String admin, String name) throws Exception {
        com.fasterxml.jackson.databind.node.ObjectNode body =
                JSON.createObjectNode().put("name", name);
        body.putObject("site").put("name", "Home").put("community", "north").put("zone", "UTC");
        return api.json("POST", "/api/v1/customers", admin, JSON.writeValueAsString(body));
    }

    /** An upload of one plug's power reading, through {@code gateway} (or none). */
    private static String upload(String gateway, String node, long ts) {
        com.fasterxml.jackson.databind.node.ObjectNode body = JSON.createObjectNode();
        if (gateway != null) {
            body.put("gateway", gateway);
        }
        body.putArray("nodes")
                .addObject()
                .put("id", node)
                .put("type", "smart_plug")
                .putArray("readings")
                .addObject()
                .put("ts", ts)
                .put("quantity", "active_power")
                .put("unit", "W")
                .put("value", 50);
        try {
            return JSON.writeValueAsString(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void eachScope_reachesWhatItIsFor_andNothingElse() throws Exception {
        try (Meterbase server = Meterbase.start(TestConfigs.httpOnly(dir), Clock.systemUTC())) {
            ApiClient api = new ApiClient(server.httpPort());
            String admin = server.newOperatorSecret().orElseThrow();
            JsonNode ana = newCustomer(api, admin, "Ana");
            String customer = ana.at("/api_key/secret").asText();
            long now = System.currentTimeMillis();

            // a device key: its device's readings are stored, another device's refused with the reason
            JsonNode deviceKey = api.json("POST", "/api/v1/keys", customer, """
                    {"scope":"device","device":"plug-1","label":"kitchen plug"}""");
            assertThat(deviceKey.get("scope").asText()).isEqualTo("device");
            assertThat(deviceKey.get("target").asText()).isEqualTo("plug-1");
            String device = deviceKey.get("secret").asText();
            assertThat(api.send("POST", "/api/v1/upload", device, upload(null, "plug-1", now))
                            .statusCode())
                    .isEqualTo(200);
            HttpResponse<String> other = api.send("POST", "/api/v1/upload", device, upload(null, "plug-2", now));
            assertThat(other.statusCode()).isEqualTo(422);
            assertThat(other.body()).contains("outside_key_scope").contains("plug-1");
            assertThat(api.send("GET", "/api/v1/latest", device, null).statusCode())
                    .isEqualTo(403);
            assertThat(api.send("POST", "/api/v1/keys", device, "{}").statusCode())
                    .isEqualTo(403);
            // nor does it take another device's commands by naming it, or report that device's events
            assertThat(api.send("POST", "/api/v1/upload", customer, upload(null, "plug-2", now))
                            .statusCode())
                    .isEqualTo(200);
            String command = api.json("POST", "/api/v1/devices/plug-2/commands", customer, """
                            {"type":"relay_off"}""")
                    .get("id")
                    .asText();
            JsonNode answer =
                    JSON.readTree(api.send("POST", "/api/v1/upload", device, upload(null, "plug-2", now + 500))
                            .body());
            assertThat(answer.path("commands")).isEmpty();
            assertThat(api.json("GET", "/api/v1/commands/" + command, customer, null)
                            .get("status")
                            .asText())
                    .isEqualTo("queued");
            assertThat(api.send("POST", "/api/v1/events", device, """
                            {"device":"plug-2","type":"tamper_case_open"}""").statusCode())
                    .isEqualTo(404);
            HttpResponse<String> event =
                    api.send("POST", "/api/v1/upload?format=meterbase-event&device=plug-2", device, """
                    {"type":"tamper_case_open"}""");
            assertThat(event.statusCode()).as(event.body()).isEqualTo(400);
            assertThat(event.body()).contains("outside_key_scope");
            assertThat(api.send("POST", "/api/v1/commands/" + command + "/ack", device, """
                            {"status":"done"}""")
                            .statusCode())
                    .isEqualTo(404);

            // a gateway key from registering a gateway: uploads through that gateway, for the devices behind it
            JsonNode gw = api.json("POST", "/api/v1/gateways", admin, """
                    {"customer":%d,"ref":"gw-1","name":"Hall"}""".formatted(
                            ana.get("id").asLong()));
            assertThat(gw.at("/key/scope").asText()).isEqualTo("gateway");
            String gateway = gw.at("/key/secret").asText();
            assertThat(api.send("POST", "/api/v1/upload", gateway, upload("gw-1", "meter-1", now))
                            .statusCode())
                    .isEqualTo(200);
            assertThat(api.send("POST", "/api/v1/upload", gateway, upload("gw-2", "meter-2", now))
                            .body())
                    .contains("outside_key_scope");
            assertThat(api.send("POST", "/api/v1/upload", gateway, upload("gw-1", "plug-1", now + 1000))
                            .body())
                    .as("plug-1 is not behind gw-1")
                    .contains("outside_key_scope");
            assertThat(api.send("GET", "/api/v1/devices", gateway, null).statusCode())
                    .isEqualTo(403);

            // a read-only key reads and changes nothing
            String readOnly = api.json("POST", "/api/v1/keys", customer, "{\"scope\":\"read_only\"}")
                    .get("secret")
                    .asText();
            assertThat(api.send("GET", "/api/v1/latest", readOnly, null).statusCode())
                    .isEqualTo(200);
            assertThat(api.send("POST", "/api/v1/upload", readOnly, upload(null, "plug-1", now + 2000))
                            .statusCode())
                    .isEqualTo(403);
            assertThat(api.send("POST", "/api/v1/keys", readOnly, "{}").statusCode())
                    .isEqualTo(403);

            // scopes are listed with the keys; a customer cannot make operator keys
            assertThat(api.json("GET", "/api/v1/keys", customer, null).findValuesAsText("scope"))
                    .contains("customer", "device", "gateway", "read_only");
            assertThat(api.send("POST", "/api/v1/keys", customer, "{\"scope\":\"admin\"}")
                            .statusCode())
                    .isEqualTo(403);

            // operators: an admin makes a support key, which reads but changes nothing and makes no keys
            String support = api.json("POST", "/api/v1/keys", admin, "{\"scope\":\"support\"}")
                    .get("secret")
                    .asText();
            String operator = api.json("POST", "/api/v1/keys", admin, "{\"scope\":\"operator\"}")
                    .get("secret")
                    .asText();
            assertThat(api.send("GET", "/api/v1/customers", support, null).statusCode())
                    .isEqualTo(200);
            assertThat(api.send("POST", "/api/v1/customers", support, "{\"name\":\"Ben\"}")
                            .statusCode())
                    .isEqualTo(403);
            assertThat(api.send("POST", "/api/v1/customers", operator, """
                            {"name":"Ben","site":{"name":"Home","community":"north","zone":"UTC"}}""").statusCode())
                    .isEqualTo(201);
            assertThat(api.send("POST", "/api/v1/keys", operator, "{\"scope\":\"support\"}")
                            .statusCode())
                    .as("only an admin makes operator keys")
                    .isEqualTo(403);
            assertThat(api.send("POST", "/api/v1/accounts", operator, """
                            {"username":"eve","password":"a long password"}""").statusCode())
                    .as("only an admin makes operator accounts (they sign in as admins)")
                    .isEqualTo(403);
            assertThat(api.json("GET", "/api/v1/keys?operators=true", admin, null)
                            .findValuesAsText("scope"))
                    .containsExactly("admin", "support", "operator");
        }
    }

    @Test
    void deviceAndGatewayKeys_comeWithTheirCoapPsk_whichEndsWithTheKey() throws Exception {
        try (Meterbase server = Meterbase.start(TestConfigs.httpOnly(dir), Clock.systemUTC())) {
            ApiClient api = new ApiClient(server.httpPort());
            String admin = server.newOperatorSecret().orElseThrow();
            JsonNode ana = newCustomer(api, admin, "Ana");
            String customer = ana.at("/api_key/secret").asText();

            JsonNode deviceKey = api.json("POST", "/api/v1/keys", customer, """
                    {"scope":"device","device":"plug-1"}""");
            long id = deviceKey.get("id").asLong();
            assertThat(deviceKey.at("/psk/identity").asText()).isEqualTo("k" + id);
            assertThat(deviceKey.at("/psk/key").asText()).hasSize(32);
            // asked again, the same (it is derived); a full key has none; the device key cannot ask
            assertThat(api.json("POST", "/api/v1/keys/" + id + "/psk", customer, null)
                            .get("key")
                            .asText())
                    .isEqualTo(deviceKey.at("/psk/key").asText());
            assertThat(api.send("POST", "/api/v1/keys/" + ana.at("/api_key/id").asLong() + "/psk", customer, null)
                            .statusCode())
                    .isEqualTo(400);
            assertThat(api.send(
                                    "POST",
                                    "/api/v1/keys/" + id + "/psk",
                                    deviceKey.get("secret").asText(),
                                    null)
                            .statusCode())
                    .isEqualTo(403);
            // a gateway's key has its own
            JsonNode gw = api.json("POST", "/api/v1/gateways", admin, """
                    {"customer":%d,"ref":"gw-1","name":"Hall"}""".formatted(
                            ana.get("id").asLong()));
            assertThat(gw.at("/key/psk/identity").asText())
                    .isEqualTo("k" + gw.at("/key/id").asLong());
            // a rotated key's successor has another; a revoked key's is no longer given
            JsonNode rotated = api.json("POST", "/api/v1/keys/" + id + "/rotate", customer, "{\"overlap\":\"PT1H\"}");
            assertThat(rotated.at("/psk/identity").asText())
                    .isEqualTo("k" + rotated.get("id").asLong());
            assertThat(rotated.at("/psk/key").asText())
                    .isNotEqualTo(deviceKey.at("/psk/key").asText());
            api.send("DELETE", "/api/v1/keys/" + id, customer, null);
            assertThat(api.send("POST", "/api/v1/keys/" + id + "/psk", customer, null)
                            .statusCode())
                    .isEqualTo(409);
        }
    }

    @Test
    void aRotatedKey_keepsWorkingForItsOverlap_thenIsRefused() throws Exception {
        try (Meterbase server = Meterbase.start(TestConfigs.httpOnly(dir), Clock.systemUTC())) {
            ApiClient api = new ApiClient(server.httpPort());
            String admin = server.newOperatorSecret().orElseThrow();
            String customer =
                    newCustomer(api, admin, "Ana").at("/api_key/secret").asText();
            JsonNode old = api.json("POST", "/api/v1/keys", customer, """
                    {"scope":"device","device":"plug-1"}""");

            HttpResponse<String> rotated = api.send(
                    "POST", "/api/v1/keys/" + old.get("id").asLong() + "/rotate", customer, "{\"overlap\":\"PT2S\"}");
            assertThat(rotated.statusCode()).isEqualTo(201);
            JsonNode fresh = JSON.readTree(rotated.body());
            assertThat(fresh.get("scope").asText()).isEqualTo("device");
            assertThat(fresh.get("target").asText()).isEqualTo("plug-1");
            assertThat(fresh.at("/replaces/expires_at").isTextual()).isTrue();

            long now = System.currentTimeMillis();
            String oldSecret = old.get("secret").asText();
            String newSecret = fresh.get("secret").asText();
            assertThat(api.send("POST", "/api/v1/upload", oldSecret, upload(null, "plug-1", now))
                            .statusCode())
                    .isEqualTo(200);
            Thread.sleep(2_500);
            HttpResponse<String> expired =
                    api.send("POST", "/api/v1/upload", oldSecret, upload(null, "plug-1", now + 1));
            assertThat(expired.statusCode()).isEqualTo(401);
            assertThat(expired.body()).contains("expired");
            assertThat(api.send("POST", "/api/v1/upload", newSecret, upload(null, "plug-1", now + 2))
                            .statusCode())
                    .isEqualTo(200);
        }
    }

    @Test
    void overMqtt_aDeviceKeyFixesTheUsername_andAClientIdStaysWithItsAccount() throws Exception {
        try (Meterbase server = Meterbase.start(
                TestConfigs.httpOnly(dir).with("mqtt.enabled", "true").with("mqtt.port", "0"), Clock.systemUTC())) {
            ApiClient api = new ApiClient(server.httpPort());
            String admin = server.newOperatorSecret().orElseThrow();
            String[] customers = new String[2];
            for (int i = 0; i < 2; i++) {
                customers[i] =
                        newCustomer(api, admin, "C" + i).at("/api_key/secret").asText();
            }
            String device = api.json("POST", "/api/v1/keys", customers[0], """
                            {"scope":"device","device":"plug-1"}""")
                    .get("secret")
                    .asText();
            int port = server.mqttPort();

            // a device key connects under its own device's name only
            assertThat(publish(port, "someone-else", "someone-else", device).exit())
                    .isNotZero();
            assertThat(publish(port, "plug-1", "plug-1", device).exit()).isZero();

            // the first customer's plug holds client id "plug-1" (a subscriber that stays connected)
            Process holder = new ProcessBuilder(
                            "mosquitto_sub",
                            "-h",
                            "127.0.0.1",
                            "-p",
                            String.valueOf(port),
                            "-V",
                            "mqttv5",
                            "-i",
                            "plug-1",
                            "-u",
                            "plug-1",
                            "-P",
                            device,
                            "-t",
                            "cmnd/plug-1/#",
                            "-W",
                            "20")
                    .redirectErrorStream(true)
                    .start();
            try {
                Thread.sleep(1_000);
                // another customer connecting with that client id is refused, and the plug is not kicked
                Run intruder = publish(port, "plug-1", "plug-1", customers[1]);
                assertThat(intruder.exit()).isNotZero();
                assertThat(intruder.output()).containsIgnoringCase("identifier");
                assertThat(holder.isAlive()).as("the plug stays connected").isTrue();
            } finally {
                holder.destroy();
            }
        }
    }

    @Test
    void aTamperEvent_revokesTheDevicesOwnKeys_only() throws Exception {
        try (Meterbase server = Meterbase.start(TestConfigs.httpOnly(dir), Clock.systemUTC())) {
            ApiClient api = new ApiClient(server.httpPort());
            String admin = server.newOperatorSecret().orElseThrow();
            String customer =
                    newCustomer(api, admin, "Ana").at("/api_key/secret").asText();
            String meter = api.json("POST", "/api/v1/keys", customer, """
                            {"scope":"device","device":"meter-1"}""")
                    .get("secret")
                    .asText();
            String plug = api.json("POST", "/api/v1/keys", customer, """
                            {"scope":"device","device":"plug-1"}""")
                    .get("secret")
                    .asText();
            long now = System.currentTimeMillis();
            assertThat(api.send("POST", "/api/v1/upload", meter, upload(null, "meter-1", now))
                            .statusCode())
                    .isEqualTo(200);
            assertThat(api.send("POST", "/api/v1/upload", plug, upload(null, "plug-1", now))
                            .statusCode())
                    .isEqualTo(200);

            // WHEN the meter reports its case opened
            assertThat(api.send("POST", "/api/v1/events", meter, """
                            {"device":"meter-1","type":"tamper_case_open"}""").statusCode())
                    .isEqualTo(200);

            // THEN the meter's key is revoked; the plug's and the customer's keep working
            HttpResponse<String> revoked = api.send("POST", "/api/v1/upload", meter, upload(null, "meter-1", now + 1));
            assertThat(revoked.statusCode()).isEqualTo(401);
            assertThat(revoked.body()).contains("key_revoked");
            assertThat(api.send("POST", "/api/v1/upload", plug, upload(null, "plug-1", now + 1))
                            .statusCode())
                    .isEqualTo(200);
            assertThat(api.send("GET", "/api/v1/latest", customer, null).statusCode())
                    .isEqualTo(200);
        }
    }

    @Test
    void aRevokedKeysMqttConnection_isClosedAtItsNextPublish() throws Exception {
        try (Meterbase server = Meterbase.start(
                TestConfigs.httpOnly(dir).with("mqtt.enabled", "true").with("mqtt.port", "0"), Clock.systemUTC())) {
            ApiClient api = new ApiClient(server.httpPort());
            String admin = server.newOperatorSecret().orElseThrow();
            String customer =
                    newCustomer(api, admin, "Ana").at("/api_key/secret").asText();
            JsonNode key = api.json("POST", "/api/v1/keys", customer, """
                    {"scope":"device","device":"plug-1"}""");
            // a plug that stays connected and publishes a line at a time
            Process plug = new ProcessBuilder(
                            "mosquitto_pub",
                            "-h",
                            "127.0.0.1",
                            "-p",
                            String.valueOf(server.mqttPort()),
                            "-V",
                            "mqttv5",
                            "-q",
                            "1",
                            "-i",
                            "plug-1",
                            "-u",
                            "plug-1",
                            "-P",
                            key.get("secret").asText(),
                            "-t",
                            "tele/plug-1/SENSOR",
                            "-l")
                    .redirectErrorStream(true)
                    .start();
            try {
                var in = plug.getOutputStream();
                in.write("{\"ENERGY\":{\"Power\":42,\"Total\":1.5}}\n".getBytes(StandardCharsets.UTF_8));
                in.flush();
                Thread.sleep(1_000);
                assertThat(plug.isAlive()).isTrue();

                assertThat(power(api, customer)).containsExactly(42.0);

                // WHEN its key is revoked, THEN its next publish is refused (nothing stored) and the connection closed
                assertThat(api.send("DELETE", "/api/v1/keys/" + key.get("id").asLong(), customer, null)
                                .statusCode())
                        .isEqualTo(200);
                in.write("{\"ENERGY\":{\"Power\":43,\"Total\":1.6}}\n".getBytes(StandardCharsets.UTF_8));
                in.flush();
                Thread.sleep(2_000);
                assertThat(power(api, customer)).containsExactly(42.0);
            } finally {
                plug.destroy();
            }
        }
    }

    @Test
    void aLiveStream_endsOnceItsKeyIsRevoked() throws Exception {
        try (Meterbase server = Meterbase.start(TestConfigs.httpOnly(dir), Clock.systemUTC())) {
            ApiClient api = new ApiClient(server.httpPort());
            String admin = server.newOperatorSecret().orElseThrow();
            String customer =
                    newCustomer(api, admin, "Ana").at("/api_key/secret").asText();
            JsonNode display = api.json("POST", "/api/v1/keys", customer, "{\"scope\":\"read_only\"}");
            HttpResponse<java.util.stream.Stream<String>> live = java.net.http.HttpClient.newHttpClient()
                    .send(
                            java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                                            "http://127.0.0.1:" + server.httpPort() + "/api/v1/live"))
                                    .header(
                                            "Authorization",
                                            "Bearer " + display.get("secret").asText())
                                    .header("Accept", "text/event-stream") // as a browser's EventSource asks
                                    .build(),
                            HttpResponse.BodyHandlers.ofLines());
            assertThat(live.statusCode()).isEqualTo(200);
            java.util.Iterator<String> lines = live.body().iterator();
            List<String> seen = new java.util.ArrayList<>();
            while (seen.stream().noneMatch(l -> l.contains("hello"))) {
                assertThat(lines.hasNext())
                        .as("the stream greets first: " + seen)
                        .isTrue();
                seen.add(lines.next());
            }

            // WHEN the display's key is revoked, THEN its stream ends (within the 15 s between keep-alives)
            api.send("DELETE", "/api/v1/keys/" + display.get("id").asLong(), customer, null);
            java.util.concurrent.CompletableFuture<Boolean> ended =
                    java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                        while (lines.hasNext()) {
                            lines.next();
                        }
                        return true;
                    });
            assertThat(ended.get(40, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void accountsHaveScopesToo_aSupportOperatorSignedIn_readsButChangesNothing() throws Exception {
        try (Meterbase server = Meterbase.start(TestConfigs.httpOnly(dir), Clock.systemUTC())) {
            ApiClient api = new ApiClient(server.httpPort());
            String admin = server.newOperatorSecret().orElseThrow();
            HttpResponse<String> made = api.send("POST", "/api/v1/accounts", admin, """
                    {"username":"helpdesk","password":"a long support password","scope":"support"}""");
            assertThat(made.statusCode()).isEqualTo(201);
            assertThat(made.body()).contains("\"scope\":\"support\"");
            assertThat(api.send("POST", "/api/v1/accounts", admin, """
                            {"username":"odd","password":"a long support password","scope":"device"}""").statusCode())
                    .isEqualTo(400);

            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + server.httpPort();
            HttpResponse<String> in = http.send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/api/v1/session"))
                            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                                    "{\"username\":\"helpdesk\",\"password\":\"a long support password\"}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(in.statusCode()).isEqualTo(200);
            String cookie = in.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
            String csrf = JSON.readTree(in.body()).get("csrf_token").asText();
            assertThat(http.send(
                                    java.net.http.HttpRequest.newBuilder(
                                                    java.net.URI.create(base + "/api/v1/customers"))
                                            .header("Cookie", cookie)
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .statusCode())
                    .isEqualTo(200);
            assertThat(http.send(
                                    java.net.http.HttpRequest.newBuilder(
                                                    java.net.URI.create(base + "/api/v1/customers"))
                                            .header("Cookie", cookie)
                                            .header("X-CSRF-Token", csrf)
                                            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                                                    "{\"name\":\"Ben\"}"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .statusCode())
                    .isEqualTo(403);
        }
    }

    /** The plug's latest active power, as the customer sees it. */
    private static List<Double> power(ApiClient api, String customer) throws Exception {
        List<Double> out = new java.util.ArrayList<>();
        for (JsonNode device : api.json("GET", "/api/v1/latest", customer, null)) {
            for (JsonNode v : device.path("readings")) {
                if (device.path("ref").asText().equals("plug-1")
                        && v.path("quantity").asText().equals("active_power")) {
                    out.add(v.get("value").asDouble());
                }
            }
        }
        return out;
    }

    private record Run(int exit, String output) {}

    private static Run publish(int port, String clientId, String user, String key) throws Exception {
        Process p = new ProcessBuilder(List.of(
                        "mosquitto_pub",
                        "-h",
                        "127.0.0.1",
                        "-p",
                        String.valueOf(port),
                        "-V",
                        "mqttv5",
                        "-q",
                        "1",
                        "-i",
                        clientId,
                        "-u",
                        user,
                        "-P",
                        key,
                        "-t",
                        "tele/" + user + "/SENSOR",
                        "-m",
                        "{\"ENERGY\":{\"Power\":42,\"Total\":1.5}}"))
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(p.waitFor(), out);
    }
}
