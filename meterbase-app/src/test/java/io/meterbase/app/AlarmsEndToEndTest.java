package io.meterbase.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alarms as users meet them: an over-voltage episode uploaded by a gateway raises one warning, which reaches the
 * customer's webhook, the MQTT alarm topic and the alarm feed; a Tasmota plug's power-low margin and a meter's
 * tamper event raise theirs; acknowledging and clearing work, and nobody sees another customer's alarms.
 */
class AlarmsEndToEndTest {

    @TempDir
    Path dir;

    private static Object[] run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Object[] {p.exitValue(), out};
    }

    @Test
    void alarmsReachTheFeedWebhooksAndMqtt() throws Exception {
        Meterbase server = Meterbase.start(
                MeterbaseConfig.defaults()
                        .with("data.dir", dir.resolve("server").toString())
                        .with("http.port", "0")
                        .with("mqtt.port", "0")
                        .with("coap.enabled", "false")
                        .with("alarms.webhook-first-retry", "PT0.05S")
                        .with("webhooks.allow-ranges", "127.0.0.0/8"),
                Clock.systemUTC());
        List<String> hooked = new CopyOnWriteArrayList<>();
        List<String> tamperOnly = new CopyOnWriteArrayList<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/alarms", ex -> {
            hooked.add(new String(ex.getRequestBody().readAllBytes()));
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        receiver.createContext("/tamper-only", ex -> {
            tamperOnly.add(new String(ex.getRequestBody().readAllBytes()));
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        receiver.start();
        try {
            ApiClient api = new ApiClient(server.httpPort());
            String operator = server.newOperatorSecret().orElseThrow();
            String[] keys = new String[2];
            long[] ids = new long[2];
            for (int i = 0; i < 2; i++) {
                JsonNode c = api.json("POST", "/api/v1/customers", operator, """
                        {"name":"C%d","site":{"name":"Home","community":"north","zone":"UTC"}}""".formatted(i));
                keys[i] = c.at("/api_key/secret").asText();
                ids[i] = c.get("id").asLong();
            }
            String key = keys[0];
            assertThat(api.send(
                                    "POST",
                                    "/api/v1/webhooks",
                                    key,
                                    "{\"url\":\"http://127.0.0.1:"
                                            + receiver.getAddress().getPort() + "/alarms\"}")
                            .statusCode())
                    .isEqualTo(201);
            // a second webhook takes tamper alarms only
            HttpResponse<String> filtered = api.send(
                    "POST",
                    "/api/v1/webhooks",
                    key,
                    ApiClient.JSON.writeValueAsString(java.util.Map.of(
                            "url",
                            "http://127.0.0.1:" + receiver.getAddress().getPort() + "/tamper-only",
                            "types",
                            List.of("tamper"),
                            "min_severity",
                            "warning")));
            assertThat(filtered.statusCode()).as(filtered.body()).isEqualTo(201);
            assertThat(api.json("GET", "/api/v1/webhooks", key, null).toString())
                    .contains("\"types\":[\"tamper\"]");
            Process watcher = new ProcessBuilder(
                            "mosquitto_sub",
                            "-h",
                            "127.0.0.1",
                            "-p",
                            String.valueOf(server.mqttPort()),
                            "-i",
                            "hall-display",
                            "-u",
                            "hall-display",
                            "-P",
                            key,
                            "-t",
                            "meterbase/alarms/" + ids[0] + "/#",
                            "-C",
                            "1",
                            "-W",
                            "25")
                    .redirectErrorStream(true)
                    .start();
            Thread.sleep(1000); // subscribed

            // 15 s of 258-260 V: the default over-voltage rule (> 253 V for 10 s) fires once
            long now = System.currentTimeMillis();
            StringBuilder readings = new StringBuilder();
            for (int s = 15; s >= 0; s -= 5) {
                readings.append(readings.isEmpty() ? "" : ",")
                        .append("{\"quantity\":\"voltage\",\"unit\":\"V\",\"value\":")
                        .append(260 - s / 5)
                        .append(",\"ts\":")
                        .append(now - s * 1000L)
                        .append('}');
            }
            HttpResponse<String> up = api.send(
                    "POST",
                    "/api/v1/upload",
                    key,
                    "{\"gateway\":\"gw\",\"nodes\":[{\"id\":\"meter\",\"type\":\"electricity_meter\","
                            + "\"category\":\"main\",\"readings\":[" + readings + "]}]}");
            assertThat(up.statusCode()).as(up.body()).isEqualTo(200);

            JsonNode active = ApiClient.await(
                    () -> api.json("GET", "/api/v1/alarms?state=active", key, null),
                    a -> a.size() == 1 && a.get(0).get("occurrences").asInt() == 2,
                    10);
            JsonNode alarm = active.get(0);
            assertThat(alarm.get("type").asText()).isEqualTo("over_voltage");
            assertThat(alarm.get("severity").asText()).isEqualTo("warning");
            assertThat(alarm.get("device_ref").asText()).isEqualTo("meter");
            assertThat(alarm.get("occurrences").asInt()).isEqualTo(2); // at 10 s and 15 s of the episode

            assertThat(watcher.waitFor(25, TimeUnit.SECONDS)).isTrue();
            assertThat(new String(watcher.getInputStream().readAllBytes())).contains("\"type\":\"over_voltage\"");
            ApiClient.await(() -> ApiClient.JSON.valueToTree(hooked), h -> h.size() >= 1, 10);
            assertThat(hooked.get(0)).contains("\"type\":\"over_voltage\"").contains("\"customer_id\":" + ids[0]);
            // the tamper-only webhook heard nothing of it, and hears the tamper event
            assertThat(api.send("POST", "/api/v1/events", key, """
                            {"device":"meter","type":"tamper_case_open"}""").statusCode())
                    .isBetween(200, 299);
            ApiClient.await(() -> ApiClient.JSON.valueToTree(tamperOnly), h -> h.size() >= 1, 10);
            assertThat(tamperOnly).allSatisfy(b -> assertThat(b).contains("\"type\":\"tamper_case_open\""));
            assertThat(api.send("POST", "/api/v1/events", key, """
                            {"device":"meter","type":"tamper_case_open","on":false}""").statusCode())
                    .isBetween(200, 299); // the case is closed again

            // the other customer sees nothing of it
            assertThat(api.json("GET", "/api/v1/alarms", keys[1], null)).isEmpty();
            assertThat(api.send("GET", "/api/v1/alarms/" + alarm.get("id").asText(), keys[1], null)
                            .statusCode())
                    .isEqualTo(404);

            // acknowledged by the customer; the next upload's answer lists what is still active
            JsonNode acked =
                    api.json("POST", "/api/v1/alarms/" + alarm.get("id").asText() + "/acknowledge", key, null);
            assertThat(acked.get("state").asText()).isEqualTo("acknowledged");
            String normal = "{\"gateway\":\"gw\",\"nodes\":[{\"id\":\"meter\",\"readings\":[{\"quantity\":"
                    + "\"voltage\",\"unit\":\"V\",\"value\":231}]}],\"ts\":";
            String still = normal.replace("231", "259");
            JsonNode during = ApiClient.JSON.readTree(
                    api.send("POST", "/api/v1/upload", key, still + System.currentTimeMillis() + "}")
                            .body());
            assertThat(during.get("alarms").toString()) // acknowledged, and still over the limit
                    .contains("over_voltage")
                    .contains("acknowledged");
            api.send("POST", "/api/v1/upload", key, normal + (System.currentTimeMillis() + 1) + "}");
            ApiClient.await(
                    () -> api.json("GET", "/api/v1/alarms/" + alarm.get("id").asText(), key, null),
                    a -> a.get("state").asText().equals("cleared"), // back in the band
                    10);
            JsonNode after = ApiClient.JSON.readTree(
                    api.send("POST", "/api/v1/upload", key, normal + (System.currentTimeMillis() + 1) + "}")
                            .body());
            assertThat(after.get("alarms")).isEmpty();

            // a Tasmota plug's power-low margin, on and off
            String port = String.valueOf(server.mqttPort());
            assertThat(run(List.of(
                            "mosquitto_pub",
                            "-h",
                            "127.0.0.1",
                            "-p",
                            port,
                            "-q",
                            "1",
                            "-u",
                            "pump-plug",
                            "-P",
                            key,
                            "-t",
                            "tele/pump-plug/SENSOR",
                            "-m",
                            "{\"ENERGY\":{\"Power\":0}}"))[0])
                    .isEqualTo(0);
            assertThat(run(List.of(
                            "mosquitto_pub",
                            "-h",
                            "127.0.0.1",
                            "-p",
                            port,
                            "-q",
                            "1",
                            "-u",
                            "pump-plug",
                            "-P",
                            key,
                            "-t",
                            "tele/pump-plug/MARGINS",
                            "-m",
                            "{\"MARGINS\":{\"PowerLow\":\"ON\"}}"))[0])
                    .isEqualTo(0);
            JsonNode powerLow = ApiClient.await(
                    () -> api.json("GET", "/api/v1/alarms?state=active", key, null),
                    a -> a.size() == 1 && a.get(0).get("type").asText().equals("power_low"),
                    10);
            assertThat(powerLow.get(0).get("device_ref").asText()).isEqualTo("pump-plug");
            run(List.of(
                    "mosquitto_pub",
                    "-h",
                    "127.0.0.1",
                    "-p",
                    port,
                    "-q",
                    "1",
                    "-u",
                    "pump-plug",
                    "-P",
                    key,
                    "-t",
                    "tele/pump-plug/MARGINS",
                    "-m",
                    "{\"MARGINS\":{\"PowerLow\":\"OFF\"}}"));
            ApiClient.await(() -> api.json("GET", "/api/v1/alarms?state=active", key, null), JsonNode::isEmpty, 10);

            // a meter reports its case opened
            JsonNode tamper = api.json(
                    "POST",
                    "/api/v1/events",
                    key,
                    "{\"device\":\"meter\",\"type\":\"tamper_case_open\",\"ts\":\"" + Instant.now() + "\"}");
            assertThat(tamper.get("severity").asText()).isEqualTo("alarm");
            assertThat(api.send("POST", "/api/v1/events", key, "{\"device\":\"nope\",\"type\":\"tilt\"}")
                            .statusCode())
                    .isEqualTo(404);
            JsonNode cleared =
                    api.json("POST", "/api/v1/alarms/" + tamper.get("id").asText() + "/clear", key, null);
            assertThat(cleared.get("state").asText()).isEqualTo("cleared");

            // every state at once, and a state that does not exist refused in the API's own words
            assertThat(api.json("GET", "/api/v1/alarms?state=all", key, null).toString())
                    .contains(tamper.get("id").asText());
            assertThat(api.json("GET", "/api/v1/alarms?state=cleared", key, null)
                            .toString())
                    .contains(tamper.get("id").asText());
            assertThat(api.json("GET", "/api/v1/alarms?state=active", key, null).toString())
                    .doesNotContain(tamper.get("id").asText());
            HttpResponse<String> unknownState = api.send("GET", "/api/v1/alarms?state=closed", key, null);
            assertThat(unknownState.statusCode()).isEqualTo(400);
            assertThat(unknownState.body())
                    .contains("unknown alarm state 'closed'")
                    .contains("active, acknowledged, cleared or all")
                    .doesNotContain("io.meterbase")
                    .doesNotContain("enum");

            // a customer's own rule
            HttpResponse<String> rule = api.send("POST", "/api/v1/alarm-rules", key, """
                    {"type":"freezer_warm","kind":"threshold","quantity":"temperature","direction":"above",
                     "value":-12,"for_seconds":600,"category":"freezer","severity":"alarm"}""");
            assertThat(rule.statusCode()).as(rule.body()).isEqualTo(201);
            assertThat(api.json("GET", "/api/v1/alarm-rules", key, null).toString())
                    .contains("freezer_warm");
            assertThat(api.json("GET", "/api/v1/alarm-rules", keys[1], null).toString())
                    .doesNotContain("freezer_warm");

            // an operator's rule without a customer is everyone's (it used to fail unboxing a null owner)
            HttpResponse<String> global = api.send("POST", "/api/v1/alarm-rules", operator, """
                    {"type":"fridge_warm","kind":"threshold","quantity":"temperature","direction":"above",
                     "value":8,"for_seconds":600,"category":"fridge","severity":"warning"}""");
            assertThat(global.statusCode()).as(global.body()).isEqualTo(201);
            assertThat(api.json("GET", "/api/v1/alarm-rules", keys[1], null).toString())
                    .contains("fridge_warm");
        } finally {
            receiver.stop(0);
            server.close();
        }
    }
}
