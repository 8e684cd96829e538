package io.meterbase.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * emonhub's inputs mapped without code, end to end over HTTP (the emoncms input API) and MQTT ({@code emon/...}
 * with the real mosquitto_pub): emonhub's solar PV names ({@code use}, {@code solar}, {@code import}) go to a solar
 * and a grid device by default, so the home's balance is right; a customer maps an emonTx's CT inputs
 * ({@code power1}, {@code power2}) to a grid meter and panels of their own; a map that names no known quantity is
 * refused with the reason.
 */
class EmonhubMappingTest {

    @TempDir
    Path dir;

    @Test
    void emonhubSolarNames_andACustomersOwnMap_overHttpAndMqtt() throws Exception {
        boolean mosquitto = new ProcessBuilder("sh", "-c", "command -v mosquitto_pub")
                        .start()
                        .waitFor()
                == 0;
        if (!mosquitto && "true".equals(System.getenv("CI"))) {
            throw new IllegalStateException("mosquitto_pub is missing (apt-get install mosquitto-clients)");
        }
        Assumptions.assumeTrue(mosquitto, "mosquitto_pub is not installed (apt-get install mosquitto-clients)");
        try (Meterbase server = Meterbase.start(
                MeterbaseConfig.defaults()
                        .with("data.dir", dir.toString())
                        .with("http.port", "0")
                        .with("mqtt.port", "0")
                        .with("coap.enabled", "false"),
                Clock.systemUTC())) {
            ApiClient api = new ApiClient(server.httpPort());
            String operator = server.newOperatorSecret().orElseThrow();
            JsonNode home = api.json("POST", "/api/v1/customers", operator, """
                    {"name":"Ana","site":{"name":"Home","community":"north","zone":"UTC"}}""");
            String key = home.at("/api_key/secret").asText();
            String apikey = api.json("POST", "/api/v1/keys", key, "{\"label\":\"emonhub\",\"format\":\"emoncms\"}")
                    .get("secret")
                    .asText();

            // emonhub's solar PV inputs, two posts a minute apart three hours ago: 500 W used, 1200 W made, 700 W
            // exported (import -700)
            long hour = (System.currentTimeMillis() / 3_600_000L - 3) * 3_600_000L;
            for (long t : new long[] {hour + 600_000, hour + 660_000}) {
                HttpResponse<String> posted = api.send(
                        "POST",
                        "/input/post?node=emonpi&time=" + t / 1000 + "&fulljson="
                                + URLEncoder.encode(
                                        "{\"use\":500,\"solar\":1200,\"import\":-700}", StandardCharsets.UTF_8),
                        apikey,
                        null);
                assertThat(posted.statusCode()).as(posted.body()).isEqualTo(200);
                assertThat(posted.body()).isEqualTo("ok");
            }
            JsonNode devices = api.json("GET", "/api/v1/devices", key, null);
            assertThat(category(devices, "emonpi-solar")).isEqualTo("solar");
            assertThat(category(devices, "emonpi-grid")).isEqualTo("main");
            // by hand, over the minute: 1200 W made = 20 Wh, 700 W exported = 11.67 Wh; used 20 - 11.67 = 8.33 Wh,
            // which is emonhub's own 'use' of 500 W for a minute
            String range = "from=" + Instant.ofEpochMilli(hour) + "&to=" + Instant.ofEpochMilli(hour + 3_600_000L);
            JsonNode b = ApiClient.await(
                            () -> api.json("GET", "/api/v1/energy/balance?interval=hour&" + range, key, null),
                            // both devices' rollups are written a moment after the posts are acknowledged
                            n -> n.get("points").size() == 1
                                    && n.at("/points/0/generated").asDouble() > 19
                                    && n.at("/points/0/exported").asDouble() > 11,
                            30)
                    .at("/points/0");
            assertThat(b.get("generated").asDouble()).isCloseTo(20, within(1e-6));
            assertThat(b.get("exported").asDouble()).isCloseTo(700.0 / 60, within(1e-6));
            assertThat(b.get("imported").asDouble()).isCloseTo(0, within(1e-6));
            assertThat(b.get("consumed").asDouble()).isCloseTo(500.0 / 60, within(1e-6));

            // a map that names no quantity Meterbase knows is refused with the reason, and nothing changes
            HttpResponse<String> wrong = api.send("PUT", "/api/v1/input-maps/emoncms", key, """
                    {"inputs":[{"input":"power1","quantity":"wattage"}]}""");
            assertThat(wrong.statusCode()).isEqualTo(400);
            assertThat(wrong.body()).contains("inputs[0]: quantity 'wattage'");
            // the customer's own map: the emonTx's CT 1 is the grid connection, CT 2 the panels
            ObjectNode map = ApiClient.JSON.createObjectNode();
            ArrayNode inputs = map.putArray("inputs");
            inputs.addObject()
                    .put("node", "emontx")
                    .put("input", "power1")
                    .put("quantity", "active_power")
                    .put("unit", "W")
                    .put("channel", "active_power")
                    .put("device", "{node}-grid")
                    .put("category", "main");
            inputs.addObject()
                    .put("node", "emontx")
                    .put("input", "power2")
                    .put("quantity", "active_power")
                    .put("unit", "kW")
                    .put("device", "roof")
                    .put("category", "solar");
            HttpResponse<String> put =
                    api.send("PUT", "/api/v1/input-maps/emoncms", key, ApiClient.JSON.writeValueAsString(map));
            assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
            JsonNode stored = api.json("GET", "/api/v1/input-maps/emoncms", key, null);
            assertThat(stored.get("inputs")).hasSize(2);
            assertThat(stored.get("defaults").toString()).contains("\"input\":\"solar\"");

            // over MQTT, as emonhub publishes: one value a topic, and an object of named values
            assertThat(pub(server, key, "emon/emontx/power1", "-300")).isZero();
            assertThat(pub(server, key, "emon/emontx", "{\"power2\":0.8,\"power3\":40}"))
                    .isZero();
            JsonNode grid = ApiClient.await(
                    () -> api.json("GET", "/api/v1/latest?device=emontx-grid", key, null),
                    n -> n.isArray() && n.size() == 1,
                    30);
            assertThat(grid.at("/0/readings/0/name").asText()).isEqualTo("active_power");
            assertThat(grid.at("/0/readings/0/value").asDouble()).isEqualTo(-300);
            JsonNode roof = ApiClient.await(
                    () -> api.json("GET", "/api/v1/latest?device=roof", key, null),
                    n -> n.isArray() && n.size() == 1,
                    30);
            assertThat(roof.at("/0/readings/0/value").asDouble()).isEqualTo(800); // kW to W
            // an input the map does not name keeps the meaning of its name
            JsonNode emontx = api.json("GET", "/api/v1/latest?device=emontx", key, null);
            assertThat(emontx.at("/0/readings/0/name").asText()).isEqualTo("power3");
            devices = api.json("GET", "/api/v1/devices", key, null);
            assertThat(category(devices, "emontx-grid")).isEqualTo("main");
            assertThat(category(devices, "roof")).isEqualTo("solar");
            // and nothing was refused on the way
            assertThat(api.json("GET", "/api/v1/quarantine", operator, null).toString())
                    .doesNotContain("emoncms_input");
        }
    }

    private static String category(JsonNode devices, String ref) {
        for (JsonNode d : devices) {
            if (d.get("ref").asText().equals(ref)) {
                return d.get("category").asText();
            }
        }
        throw new AssertionError("no device " + ref + " in " + devices);
    }

    private static int pub(Meterbase server, String key, String topic, String message) throws Exception {
        Process p = new ProcessBuilder(List.of(
                        "mosquitto_pub",
                        "-h",
                        "127.0.0.1",
                        "-p",
                        String.valueOf(server.mqttPort()),
                        "-V",
                        "mqttv311",
                        "-q",
                        "1",
                        "-i",
                        "emonhub",
                        "-u",
                        "emonhub",
                        "-P",
                        key,
                        "-t",
                        topic,
                        "-m",
                        message))
                .redirectErrorStream(true)
                .start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return p.exitValue();
    }
}
