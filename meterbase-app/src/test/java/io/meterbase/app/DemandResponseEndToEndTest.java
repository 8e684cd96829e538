package io.meterbase.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meterbase.gateway.GatewayAgent;
import io.meterbase.gateway.GatewaySettings;
import io.meterbase.gateway.SimulatedNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A demand-response event end to end: two homes whose simulated nodes report through gateway agents, water
 * heaters enrolled in the utility's program; the event switches them off (staggered), the community's load
 * visibly drops, they come back on at the end, and the reduction is measured against the baseline of the ten
 * previous weekdays (or weekend days).
 */
class DemandResponseEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private ApiClient api;
    private String base;

    private HttpResponse<String> send(String method, String path, String key, String body) throws Exception {
        return api.send(method, path, key, body);
    }

    private static JsonNode await(Callable<JsonNode> call, Predicate<JsonNode> ok, int seconds) throws Exception {
        return ApiClient.await(call, ok, seconds);
    }

    /** Readings of the same time window on the 42 previous days (ten weekend days need five weeks): heater at full power, fridge running. */
    private void backfill(String key, String gateway, Instant from, Instant to) throws Exception {
        for (int back = 1; back <= 42; back++) {
            StringBuilder heater = new StringBuilder();
            StringBuilder fridge = new StringBuilder();
            for (Instant t = from.minus(Duration.ofDays(back));
                    t.isBefore(to.minus(Duration.ofDays(back)));
                    t = t.plusSeconds(5)) {
                String sep = heater.isEmpty() ? "" : ",";
                heater.append(sep)
                        .append("{\"quantity\":\"active_power\",\"unit\":\"W\",\"value\":2000,\"ts\":")
                        .append(t.toEpochMilli())
                        .append('}');
                fridge.append(sep)
                        .append("{\"quantity\":\"active_power\",\"unit\":\"W\",\"value\":120,\"ts\":")
                        .append(t.toEpochMilli())
                        .append('}');
            }
            String body = "{\"gateway\":\"" + gateway + "\",\"nodes\":[{\"id\":\"heater\",\"readings\":[" + heater
                    + "]},{\"id\":\"fridge\",\"readings\":[" + fridge + "]}]}";
            HttpResponse<String> r = send("POST", "/api/v1/upload", key, body);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        }
    }

    @Test
    void anEventSwitchesEnrolledHeatersOffAndMeasuresTheReduction() throws Exception {
        Meterbase server = Meterbase.start(
                MeterbaseConfig.defaults()
                        .with("data.dir", dir.resolve("server").toString())
                        .with("http.port", "0")
                        .with("mqtt.enabled", "false")
                        .with("coap.enabled", "false")
                        .with("ingest.rollup-interval", "PT0.2S")
                        .with("community.min-customers", "1"),
                Clock.systemUTC());
        List<AutoCloseable> running = new ArrayList<>();
        try {
            api = new ApiClient(server.httpPort());
            base = api.base();
            String operator = server.newOperatorSecret().orElseThrow();
            String[] keys = new String[2];
            for (int i = 0; i < 2; i++) {
                HttpResponse<String> c = send("POST", "/api/v1/customers", operator, """
                        {"name":"Home %d","site":{"name":"Home","community":"north","zone":"UTC"}}""".formatted(i));
                keys[i] = JSON.readTree(c.body()).at("/api_key/secret").asText();
                GatewayAgent agent = new GatewayAgent(new GatewaySettings(
                                base,
                                keys[i],
                                "gw-" + i,
                                Duration.ofMillis(300),
                                dir.resolve("gw-" + i),
                                10_000,
                                "127.0.0.1",
                                0,
                                List.of(),
                                null))
                        .start();
                running.add(agent);
                SimulatedNode heater = new SimulatedNode("heater", 2000, "127.0.0.1", 0);
                SimulatedNode fridge = new SimulatedNode("fridge", 120, "127.0.0.1", 0);
                running.add(heater);
                running.add(fridge);
                heater.register("http://127.0.0.1:" + agent.registrationPort(), "water_heater");
                fridge.register("http://127.0.0.1:" + agent.registrationPort(), "fridge");
            }
            Callable<JsonNode> grid = () -> JSON.readTree(send("GET", "/api/v1/communities/north/grid", operator, null)
                    .body());
            await(grid, g -> g.get("load_w").asDouble() > 4000, 20); // both homes report, heaters on

            Instant start = Instant.now().plusSeconds(4).truncatedTo(ChronoUnit.SECONDS);
            Instant end = start.plusSeconds(12);
            for (int i = 0; i < 2; i++) {
                backfill(keys[i], "gw-" + i, start.minusSeconds(30), end.plusSeconds(30));
            }
            HttpResponse<String> program = send("POST", "/api/v1/dr/programs", operator, """
                    {"id":"heat","name":"Water heaters","community":"north","categories":["water_heater"],
                     "stagger_seconds":2}""");
            assertThat(program.statusCode()).as(program.body()).isEqualTo(201);
            for (String key : keys) {
                HttpResponse<String> enrol =
                        send("POST", "/api/v1/dr/programs/heat/enrolments", key, "{\"device\":\"heater\"}");
                assertThat(enrol.statusCode()).as(enrol.body()).isEqualTo(201);
            }
            assertThat(send("POST", "/api/v1/dr/programs/heat/enrolments", keys[0], "{\"device\":\"fridge\"}")
                            .statusCode())
                    .as("a fridge is not in this program")
                    .isEqualTo(400);
            HttpResponse<String> created = send("POST", "/api/v1/dr/events", operator, """
                    {"program":"heat","start":"%s","end":"%s","target_reduction_kw":3.5}""".formatted(start, end));
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            String event = JSON.readTree(created.body()).get("id").asText();

            double before = grid.call().get("load_w").asDouble();
            JsonNode during = await(grid, g -> g.get("load_w").asDouble() < 1000, 20);
            assertThat(Instant.now()).isBefore(end);
            assertThat(during.get("state").asText()).isEqualTo("peak"); // an event is in progress
            assertThat(during.get("active_events").get(0).asText()).isEqualTo(event);
            assertThat(before - during.get("load_w").asDouble())
                    .as("the load dropped by about both heaters")
                    .isGreaterThan(3500);

            JsonNode after = await(grid, g -> g.get("load_w").asDouble() > 4000, 30);
            assertThat(Instant.now()).isAfterOrEqualTo(end);
            assertThat(after.get("state").asText()).isEqualTo("normal");

            JsonNode commands = JSON.readTree(
                    send("GET", "/api/v1/commands?device=heater", keys[0], null).body());
            assertThat(commands)
                    .extracting(
                            c -> c.get("type").asText() + ":" + c.get("status").asText())
                    .contains("relay_off:done", "relay_on:done");

            JsonNode reduction = JSON.readTree(send("GET", "/api/v1/dr/events/" + event + "/reduction", operator, null)
                    .body());
            assertThat(reduction.get("customers")).hasSize(2);
            for (JsonNode row : reduction.get("customers")) {
                assertThat(row.get("baseline_days").asInt()).isEqualTo(10);
                // baseline: 2120 W for 12 s = 7.07 Wh; the heater was off for most of the window
                assertThat(row.get("baseline_wh").asDouble()).isBetween(6.9, 7.2);
                assertThat(row.get("reduction_wh").asDouble()).isGreaterThan(2.5);
            }
            assertThat(reduction.get("reduction_kw").asDouble()).isGreaterThan(1.5);
            assertThat(reduction.get("target_reduction_kw").asDouble()).isEqualTo(3.5);
        } finally {
            for (AutoCloseable c : running) {
                c.close();
            }
            server.close();
        }
    }
}
