package io.meterbase.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meterbase.core.auth.CommandSignature;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seed 000's gateway answer and seed 001/002's control, over HTTP as gateways, customers and operators use them:
 * tariff and cost, community comparison with the privacy threshold, grid state, commands with their lifecycle.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InsightControlTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    private Meterbase server;
    private ApiClient api;
    private String base;
    private String operator;
    private final String[] keys = new String[3];
    private final long[] ids = new long[3];

    @BeforeAll
    void start() throws Exception {
        server = Meterbase.start(
                MeterbaseConfig.defaults()
                        .with("data.dir", dir.toString())
                        .with("http.port", "0")
                        .with("mqtt.enabled", "false")
                        .with("coap.enabled", "false")
                        .with("ingest.rollup-interval", "PT0.1S")
                        .with("community.min-customers", "3")
                        .with("community.energy-refresh", "PT1S"),
                Clock.systemUTC());
        api = new ApiClient(server.httpPort());
        base = api.base();
        operator = server.newOperatorSecret().orElseThrow();
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> created = send("POST", "/api/v1/customers", operator, """
                    {"name":"C%d","site":{"name":"Home","community":"north","zone":"UTC"}}""".formatted(i));
            assertThat(created.statusCode()).isEqualTo(201);
            keys[i] = JSON.readTree(created.body()).at("/api_key/secret").asText();
            ids[i] = JSON.readTree(created.body()).get("id").asLong();
        }
        HttpResponse<String> tariff = send("POST", "/api/v1/tariffs", operator, """
                {"id":"res","name":"Residential","commodity":"electricity","currency":"EUR",
                 "versions":[{"effective_from":"2026-01-01","pricing":"flat","price":0.25,
                              "standing_charge_per_day":0.30}]}""");
        assertThat(tariff.statusCode()).as(tariff.body()).isEqualTo(201);
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private HttpResponse<String> send(String method, String path, String key, String body) throws Exception {
        return api.send(method, path, key, body);
    }

    /** One gateway upload: the heater's power and energy register. */
    private JsonNode upload(int customer, double watts, double kwh) throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        String body = "{\"gateway\":\"gw-" + customer + "\",\"ts\":\"" + now + "\",\"nodes\":[{\"id\":\"heater\","
                + "\"category\":\"water_heater\",\"readings\":["
                + "{\"quantity\":\"active_power\",\"unit\":\"W\",\"value\":" + watts + "},"
                + "{\"quantity\":\"energy_import\",\"unit\":\"kWh\",\"value\":" + kwh + ",\"kind\":\"register\"}]}]}";
        HttpResponse<String> r = send("POST", "/api/v1/upload", keys[customer], body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private static JsonNode await(
            java.util.concurrent.Callable<JsonNode> call, java.util.function.Predicate<JsonNode> ok) throws Exception {
        return ApiClient.await(call, ok, 15);
    }

    @Test
    void theGatewayAnswerCarriesCostCommunityRankAndGridState() throws Exception {
        // a customer alone in its community sees no comparison (privacy threshold 3)
        HttpResponse<String> loner = send(
                "POST",
                "/api/v1/customers",
                operator,
                "{\"name\":\"Loner\",\"site\":{\"name\":\"Cabin\",\"community\":\"hills\",\"zone\":\"UTC\"}}");
        String lonerKey = JSON.readTree(loner.body()).at("/api_key/secret").asText();
        java.util.concurrent.Callable<String> lonerUpload = () ->
                "{\"gateway\":\"gw-l\",\"ts\":\"" + Instant.now() + "\",\"nodes\":[{\"id\":\"plug\",\"readings\":["
                        + "{\"quantity\":\"active_power\",\"unit\":\"W\",\"value\":50}]}]}";
        JsonNode alone = await(
                () -> JSON.readTree(send("POST", "/api/v1/upload", lonerKey, lonerUpload.call())
                        .body()),
                a -> a.at("/community/power/customers").asInt() == 1);
        assertThat(alone.at("/community/power/withheld").asText()).contains("fewer than 3");
        assertThat(alone.at("/community/power/min").isMissingNode()).isTrue();
        assertThat(alone.at("/community/power/rank").isMissingNode()).isTrue();

        upload(0, 2000, 10.0);

        upload(1, 1000, 5.0);
        upload(2, 500, 3.0);
        upload(1, 1000, 5.2);
        upload(2, 500, 3.1);
        JsonNode answer = await(
                () -> upload(0, 2000, 10.4),
                a -> a.at("/community/power/customers").asInt() == 3
                        && a.at("/community/power/max").asDouble() == 2000);

        assertThat(answer.at("/community/power/min").asDouble()).isEqualTo(500);
        assertThat(answer.at("/community/power/average").asDouble()).isCloseTo(3500 / 3.0, within(1e-6));
        assertThat(answer.at("/community/power/rank").asInt()).isEqualTo(3); // the largest consumer of three
        assertThat(answer.at("/community/power/percentile").asDouble()).isCloseTo(200 / 3.0, within(1e-6));
        assertThat(answer.toString()).doesNotContain("C1").doesNotContain("C2"); // no other customer's identity
        assertThat(answer.at("/customer/currency").asText()).isEqualTo("EUR");
        assertThat(answer.at("/customer/price_now").decimalValue()).isEqualByComparingTo("0.25");
        assertThat(answer.at("/customer/cost_today").isNumber()).isTrue();
        assertThat(answer.at("/grid/state").asText()).isEqualTo("normal");
        assertThat(answer.get("commands")).isEmpty();

        // the utility sets the feeder's capacity below the live load: the grid is critical
        assertThat(send("PUT", "/api/v1/communities/north", operator, "{\"capacity_kw\":3}")
                        .statusCode())
                .isEqualTo(200);
        JsonNode critical = upload(0, 2000, 10.5);
        assertThat(critical.at("/grid/state").asText()).isEqualTo("critical");
        JsonNode grid = JSON.readTree(
                send("GET", "/api/v1/communities/north/grid", operator, null).body());
        assertThat(grid.get("load_w").asDouble()).isEqualTo(3500);
        assertThat(grid.get("reasons").toString()).contains("capacity");

        // the customer's view of the community: energy today ranks too
        JsonNode community = await(
                () -> JSON.readTree(
                        send("GET", "/api/v1/community", keys[0], null).body()),
                c -> c.at("/energy_today/customers").asInt() == 3
                        && c.at("/energy_today/max").asDouble() > 0);
        // registers jumping within a second are taken as glitches, so only the order of magnitude is asserted
        assertThat(community.at("/energy_today/rank").asInt()).isBetween(1, 3);
        assertThat(community.at("/energy_today/min").asDouble())
                .isLessThanOrEqualTo(community.at("/energy_today/value").asDouble());
        assertThat(community.get("community").asText()).isEqualTo("north");

        // the bill for today so far: energy at the flat price plus a prorated standing charge
        JsonNode cost = await(
                () -> JSON.readTree(
                        send("GET", "/api/v1/cost?period=today", keys[0], null).body()),
                c -> c.path("consumption").asDouble() > 0);
        assertThat(cost.get("currency").asText()).isEqualTo("EUR");
        assertThat(cost.get("lines").get(0).get("description").asText()).startsWith("Energy");
        assertThat(cost.get("lines").get(0).get("unit_price").decimalValue()).isEqualByComparingTo("0.25");
        assertThat(cost.get("by_category").has("water_heater")).isTrue();
        double sum = 0;
        for (JsonNode line : cost.get("lines")) {
            sum += line.get("amount").asDouble();
        }
        assertThat(cost.get("total").asDouble()).isCloseTo(sum, within(1e-9));
        assertThat(send("GET", "/api/v1/cost?commodity=gas", keys[0], null).statusCode())
                .isEqualTo(409);
    }

    @Test
    void aCommandGoesOutWithTheNextUploadAndItsOutcomeIsVisible() throws Exception {
        upload(1, 1000, 6.0);
        HttpResponse<String> created = send(
                "POST", "/api/v1/devices/heater/commands", keys[1], "{\"type\":\"relay_off\",\"ttl_seconds\":600}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode command = JSON.readTree(created.body());
        String id = command.get("id").asText();
        assertThat(command.get("status").asText()).isEqualTo("queued");
        assertThat(command.get("expires_at").asText()).isNotBlank();

        JsonNode answer = upload(1, 1000, 6.1);
        assertThat(answer.get("commands")).hasSize(1);
        assertThat(answer.at("/commands/0/id").asText()).isEqualTo(id);
        assertThat(answer.at("/commands/0/node").asText()).isEqualTo("heater");
        assertThat(answer.at("/commands/0/relay").asText()).isEqualTo("off");
        assertThat(upload(1, 1000, 6.2).get("commands")).isEmpty(); // handed over once

        JsonNode sent = JSON.readTree(
                send("GET", "/api/v1/commands/" + id, keys[1], null).body());
        assertThat(sent.get("status").asText()).isEqualTo("sent");
        assertThat(sent.get("via").asText()).isEqualTo("http");
        assertThat(sent.get("sent_at").asText()).isNotBlank();
        assertThat(send("GET", "/api/v1/commands/" + id, keys[0], null).statusCode())
                .as("another customer's command")
                .isEqualTo(404);

        HttpResponse<String> ack =
                send("POST", "/api/v1/commands/" + id + "/ack", keys[1], "{\"status\":\"done\",\"relay\":\"off\"}");
        assertThat(ack.statusCode()).as(ack.body()).isEqualTo(200);
        JsonNode done = JSON.readTree(
                send("GET", "/api/v1/commands/" + id, keys[1], null).body());
        assertThat(done.get("status").asText()).isEqualTo("done");
        assertThat(done.get("finished_at").asText()).isNotBlank();
        JsonNode relay = JSON.readTree(
                send("GET", "/api/v1/devices/heater/relay", keys[1], null).body());
        assertThat(relay.get("on").asBoolean(true)).isFalse();
        assertThat(JSON.readTree(send("GET", "/api/v1/commands?device=heater", keys[1], null)
                        .body()))
                .isNotEmpty();
    }

    @Test
    void remoteDisconnectIsForOperatorsAndComesSigned() throws Exception {
        upload(2, 500, 3.5);
        assertThat(send("POST", "/api/v1/devices/heater/commands", keys[2], "{\"type\":\"disconnect\"}")
                        .statusCode())
                .isEqualTo(403);

        HttpResponse<String> created = send(
                "POST", "/api/v1/devices/heater/commands?customer=" + ids[2], operator, "{\"type\":\"disconnect\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode wire = upload(2, 500, 3.6).at("/commands/0");
        String pem = send("GET", "/api/v1/commands/signing-key", null, null).body();

        String text = CommandSignature.canonical(
                wire.get("id").asText(),
                wire.get("node").asText(),
                wire.get("type").asText(),
                wire.get("issued_at").asLong(),
                wire.get("expires_at").asLong(),
                wire.get("nonce").asText());
        assertThat(CommandSignature.verify(
                        CommandSignature.publicKey(pem),
                        text,
                        wire.get("signature").asText()))
                .isTrue();
        assertThat(send("POST", "/api/v1/devices/heater/commands", keys[2], "{\"type\":\"fly\"}")
                        .statusCode())
                .isEqualTo(400);
    }
}
