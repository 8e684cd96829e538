package io.meterbase.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Consumption is booked to the time it covers, as a customer reads it: interval energy stamped at the end (or, said
 * so, at the start) of its half hour belongs to that half hour's day; a register read at midnight gives each day
 * what was consumed in it, and the bill names those hours as estimated; power readings too far apart are reported
 * as a gap, not as zero use.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PeriodSemanticsEndToEndTest {

    private static final Duration HALF_HOUR = Duration.ofMinutes(30);

    @TempDir
    static Path dir;

    private Meterbase server;
    private ApiClient api;
    private String operator;
    private String customer;
    /** Yesterday's midnight (UTC), and the one before. */
    private Instant midnight;

    private Instant dayBefore;

    @BeforeAll
    void start() throws Exception {
        server = Meterbase.start(TestConfigs.httpOnly(dir).with("ingest.rollup-interval", "PT0.1S"), Clock.systemUTC());
        api = new ApiClient(server.httpPort());
        operator = server.newOperatorSecret().orElseThrow();
        ObjectNode body = ApiClient.JSON.createObjectNode().put("name", "Flat 3");
        body.putObject("site").put("name", "Home").put("community", "north").put("zone", "UTC");
        HttpResponse<String> created = api.send("POST", "/api/v1/customers", operator, body.toString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        customer = ApiClient.JSON.readTree(created.body()).at("/api_key/secret").asText();
        midnight = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(1, ChronoUnit.DAYS);
        dayBefore = midnight.minus(1, ChronoUnit.DAYS);
    }

    @AfterAll
    void stop() {
        server.close();
    }

    /** Uploads one node's readings and expects all of them taken. */
    private void upload(String node, ArrayNode readings) throws Exception {
        ObjectNode body = ApiClient.JSON.createObjectNode();
        ObjectNode n = body.putArray("nodes").addObject().put("id", node);
        n.set("readings", readings);
        HttpResponse<String> up = api.send("POST", "/api/v1/upload", customer, body.toString());
        assertThat(up.statusCode()).as(up.body()).isEqualTo(200);
        assertThat(ApiClient.JSON.readTree(up.body()).get("accepted").asInt())
                .as(up.body())
                .isEqualTo(readings.size());
    }

    private static ObjectNode reading(ArrayNode to, String quantity, Instant ts, double value, String kind) {
        ObjectNode r = to.addObject()
                .put("quantity", quantity)
                .put("unit", quantity.equals("active_power") ? "W" : "Wh")
                .put("value", value)
                .put("ts", ts.toString());
        if (kind != null) {
            r.put("kind", kind);
        }
        return r;
    }

    /** Consumption per day start of one device, once its rollups show {@code total} in all. */
    private Map<String, JsonNode> days(String device, Instant from, Instant to, double total) throws Exception {
        String path = "/api/v1/energy?interval=day&group=device&device=" + device + "&from=" + from + "&to=" + to;
        JsonNode energy = ApiClient.await(() -> api.json("GET", path, customer, null), e -> sum(e) >= total - 1e-6, 15);
        Map<String, JsonNode> out = new HashMap<>();
        energy.get("points").forEach(p -> out.put(p.get("start").asText(), p));
        return out;
    }

    private static double sum(JsonNode energy) {
        return energy.get("points").findValues("amount").stream()
                .mapToDouble(JsonNode::asDouble)
                .sum();
    }

    @Test
    void halfHourlyIntervals_stampedAtTheEndOrAtTheStart_belongToTheDayTheyMeasured() throws Exception {
        // GIVEN half-hourly energy for 22:30-23:00 (80 Wh), 23:00-23:30 (100), 23:30-24:00 (200), 00:00-00:30 (50):
        // one meter stamps each at its end (the last of the day at 00:00), another at its start, saying so
        double[] wh = {80, 100, 200, 50};
        ArrayNode atEnd = ApiClient.JSON.createArrayNode();
        ArrayNode atStart = ApiClient.JSON.createArrayNode();
        for (int i = 0; i < wh.length; i++) {
            Instant periodStart = midnight.minus(HALF_HOUR.multipliedBy(3 - i));
            reading(atEnd, "energy_import", periodStart.plus(HALF_HOUR), wh[i], "interval");
            reading(atStart, "energy_import", periodStart, wh[i], "interval")
                    .put("stamp", "start")
                    .put("period", "PT30M");
        }
        upload("meter-end", atEnd);
        upload("meter-start", atStart);

        // THEN both give the day before midnight 380 Wh and the day after 50 Wh, the reading stamped 00:00 included
        // in the day it measured
        for (String meter : new String[] {"meter-end", "meter-start"}) {
            Map<String, JsonNode> days = days(meter, dayBefore, midnight.plus(1, ChronoUnit.DAYS), 430);
            assertThat(days.get(dayBefore.toString()).get("amount").asDouble())
                    .as(meter)
                    .isEqualTo(380.0);
            assertThat(days.get(midnight.toString()).get("amount").asDouble())
                    .as(meter)
                    .isEqualTo(50.0);
            assertThat(days.get(dayBefore.toString()).has("estimated")).isFalse();
        }
    }

    @Test
    void aRegisterReadAtMidnight_givesEachDayItsOwnUse_andTheBillNamesTheEstimatedHours() throws Exception {
        // GIVEN a register read only at midnight: 1,000 Wh, 3,400 Wh, 5,800 Wh
        ArrayNode reads = ApiClient.JSON.createArrayNode();
        reading(reads, "energy_import", dayBefore.minus(1, ChronoUnit.DAYS), 1_000, "register");
        reading(reads, "energy_import", dayBefore, 3_400, "register");
        reading(reads, "energy_import", midnight, 5_800, "register");
        upload("midnight-meter", reads);

        // THEN each day consumed 2,400 Wh, all of it estimated hour by hour
        Map<String, JsonNode> days = days("midnight-meter", dayBefore.minus(1, ChronoUnit.DAYS), midnight, 4_800);
        JsonNode day = days.get(dayBefore.toString());
        assertThat(day.get("amount").asDouble()).isCloseTo(2_400, within(1e-6));
        assertThat(day.get("estimated").asDouble()).isCloseTo(2_400, within(1e-6));

        // AND a bill of that day says which hours were estimated
        ObjectNode tariff = ApiClient.JSON
                .createObjectNode()
                .put("id", "flat-30")
                .put("name", "Flat")
                .put("commodity", "electricity")
                .put("currency", "EUR");
        tariff.putArray("versions")
                .addObject()
                .put("effective_from", "2020-01-01")
                .put("pricing", "flat")
                .put("price", 0.30);
        HttpResponse<String> made = api.send("POST", "/api/v1/tariffs", operator, tariff.toString());
        assertThat(made.statusCode()).as(made.body()).isEqualTo(201);
        JsonNode bill = api.json("GET", "/api/v1/bill?from=" + dayBefore + "&to=" + midnight, customer, null);
        assertThat(bill.get("consumption").asDouble()).as(bill.toString()).isCloseTo(2.4, within(1e-6));
        assertThat(bill.get("estimated_consumption").asDouble()).isCloseTo(2.4, within(1e-6));
        assertThat(bill.get("estimated")).hasSize(1);
        assertThat(bill.at("/estimated/0/from").asText()).isEqualTo(dayBefore.toString());
        assertThat(bill.at("/estimated/0/to").asText()).isEqualTo(midnight.toString());
    }

    @Test
    void powerReadingsHalfAnHourApart_areReportedAsAGap_notAsZeroUse() throws Exception {
        // GIVEN a plug's average power every 30 minutes (beyond the 15 minutes integrated at most)
        Instant ten = dayBefore.plus(10, ChronoUnit.HOURS);
        ArrayNode power = ApiClient.JSON.createArrayNode();
        for (int i = 0; i <= 2; i++) {
            reading(power, "active_power", ten.plus(HALF_HOUR.multipliedBy(i)), 500, null);
        }
        upload("slow-plug", power);

        // THEN the hour from 10:00 shows no energy and says that the whole hour is a gap
        String path = "/api/v1/energy?interval=hour&group=device&device=slow-plug&from=" + ten + "&to="
                + ten.plus(2, ChronoUnit.HOURS);
        JsonNode energy = ApiClient.await(
                () -> api.json("GET", path, customer, null),
                e -> e.get("points").size() > 0,
                15);
        JsonNode hour = energy.at("/points/0");
        assertThat(hour.get("start").asText()).isEqualTo(ten.toString());
        assertThat(hour.get("amount").asDouble()).isZero();
        assertThat(hour.get("gap_hours").asDouble()).isEqualTo(1.0);
    }
}
