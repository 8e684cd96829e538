package io.meterbase.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
 * A customer is compared with its community as it is when it uploads, not as the last periodic refresh saw it: the
 * refresh of energy ranks is set to an hour here, so every figure below comes from the uploads themselves.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FreshComparisonTest {

    @TempDir
    static Path dir;

    private Meterbase server;
    private ApiClient api;
    private final String[] keys = new String[3];
    private String operator;

    @BeforeAll
    void start() throws Exception {
        server = Meterbase.start(
                TestConfigs.httpOnly(dir)
                        .with("ingest.rollup-interval", "PT0.1S")
                        .with("community.min-customers", "3")
                        .with("community.energy-refresh", "PT1H"),
                Clock.systemUTC());
        api = new ApiClient(server.httpPort());
        operator = server.newOperatorSecret().orElseThrow();
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> created = api.send("POST", "/api/v1/customers", operator, """
                    {"name":"C%d","site":{"name":"Home","community":"west","zone":"UTC"}}""".formatted(i));
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            keys[i] = ApiClient.JSON
                    .readTree(created.body())
                    .at("/api_key/secret")
                    .asText();
        }
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private JsonNode upload(int customer, double watts, double kwh) throws Exception {
        String ts = Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
        ObjectNode upload = ApiClient.JSON.createObjectNode();
        ObjectNode node =
                upload.putArray("nodes").addObject().put("id", "meter").put("category", "main");
        ArrayNode readings = node.putArray("readings");
        readings.addObject()
                .put("ts", ts)
                .put("quantity", "active_power")
                .put("unit", "W")
                .put("value", watts);
        readings.addObject()
                .put("ts", ts)
                .put("quantity", "energy_import")
                .put("unit", "kWh")
                .put("value", kwh)
                .put("kind", "register");
        String body = ApiClient.JSON.writeValueAsString(upload);
        HttpResponse<String> r = api.send("POST", "/api/v1/upload", keys[customer], body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return ApiClient.JSON.readTree(r.body());
    }

    @Test
    void theThirdCustomersFirstUpload_isRankedAtOnce_andItsEnergyTodayCountsWhenItAppears() throws Exception {
        upload(0, 300, 1.0);
        upload(1, 600, 2.0);

        // WHEN the third customer uploads for the first time
        JsonNode first = upload(2, 1200, 3.0);

        // THEN its answer already compares it with the two others, itself included: the largest of three
        assertThat(first.at("/community/power/customers").asInt()).isEqualTo(3);
        assertThat(first.at("/community/power/max").asDouble()).isEqualTo(1200);
        assertThat(first.at("/community/power/rank").asInt()).isEqualTo(3);

        // AND once its energy today is known (its register moved by 0.1 kWh: within what 1 MW adds in a second),
        // the same answer ranks it by it
        JsonNode later = ApiClient.await(
                () -> upload(2, 1200, 3.1),
                a -> a.at("/customer/energy_today_wh").asDouble() > 0,
                15);
        double energy = later.at("/customer/energy_today_wh").asDouble();
        assertThat(energy).isCloseTo(100, within(1e-6));
        assertThat(later.at("/community/energy_today/customers").asInt()).isEqualTo(3);
        assertThat(later.at("/community/energy_today/max").asDouble()).isCloseTo(energy, within(1e-6));
        assertThat(later.at("/community/energy_today/rank").asInt()).isEqualTo(3);
    }

    @Test
    void aNewDevicesFirstUpload_showsItsEnergyTodayInItsOwnAnswer() throws Exception {
        // GIVEN a new customer in another community
        ObjectNode customer = ApiClient.JSON.createObjectNode().put("name", "New");
        customer.putObject("site").put("name", "Home").put("community", "east").put("zone", "UTC");
        HttpResponse<String> created = api.send("POST", "/api/v1/customers", operator, customer.toString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String key =
                ApiClient.JSON.readTree(created.body()).at("/api_key/secret").asText();

        // WHEN its meter's first upload brings 250 Wh of interval energy ending now
        ObjectNode upload = ApiClient.JSON.createObjectNode();
        upload.putArray("nodes")
                .addObject()
                .put("id", "first-meter")
                .put("category", "main")
                .putArray("readings")
                .addObject()
                .put("ts", Instant.now().truncatedTo(ChronoUnit.MILLIS).toString())
                .put("quantity", "energy_import")
                .put("unit", "Wh")
                .put("value", 250)
                .put("kind", "interval");
        HttpResponse<String> r = api.send("POST", "/api/v1/upload", key, upload.toString());

        // THEN that very answer shows it (the rollups of a device's first readings are written before it)
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(ApiClient.JSON
                        .readTree(r.body())
                        .at("/customer/energy_today_wh")
                        .asDouble())
                .as(r.body())
                .isEqualTo(250.0);
    }
}
