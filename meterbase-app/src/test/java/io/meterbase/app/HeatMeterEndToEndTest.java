package io.meterbase.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
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
 * A district-heat meter end to end: its registers in GJ and m³, flow and return temperatures and thermal power are
 * taken, its heat is consumption of its own commodity with a tariff per kWh, and its circulating water is never
 * the household's water.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HeatMeterEndToEndTest {

    /** 1 kWh in GJ. */
    private static final double KWH_IN_GJ = 0.0036;

    @TempDir
    static Path dir;

    private Meterbase server;
    private ApiClient api;
    private String operator;
    private String customer;

    @BeforeAll
    void start() throws Exception {
        server = Meterbase.start(TestConfigs.httpOnly(dir).with("ingest.rollup-interval", "PT0.1S"), Clock.systemUTC());
        api = new ApiClient(server.httpPort());
        operator = server.newOperatorSecret().orElseThrow();
        HttpResponse<String> created = api.send("POST", "/api/v1/customers", operator, """
                {"name":"Block A","site":{"name":"Substation","community":"east","zone":"UTC"}}""");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        customer = ApiClient.JSON.readTree(created.body()).at("/api_key/secret").asText();
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private String reading(Instant ts, int step) {
        return """
                {"ts":"%s","quantity":"heat_energy","unit":"GJ","value":%s,"kind":"register"},
                {"ts":"%s","quantity":"heat_volume","unit":"m3","value":%s,"kind":"register"},
                {"ts":"%s","quantity":"flow_temperature","unit":"Cel","value":70.5},
                {"ts":"%s","quantity":"return_temperature","unit":"Cel","value":41.0},
                {"ts":"%s","quantity":"heat_power","unit":"kW","value":12.5}""".formatted(ts, 1000 + step * 12 * KWH_IN_GJ, ts, 500 + step * 0.35, ts, ts, ts);
    }

    @Test
    void aHeatMetersRegisters_areHeatConsumption_pricedPerKwh_andNotWater() throws Exception {
        // GIVEN a heat meter reading every hour for three hours: 12 kWh of heat and 0.35 m³ of heating water each
        Instant start = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(4, ChronoUnit.HOURS);
        StringBuilder readings = new StringBuilder();
        for (int h = 0; h <= 3; h++) {
            readings.append(h == 0 ? "" : ",").append(reading(start.plus(h, ChronoUnit.HOURS), h));
        }
        HttpResponse<String> up = api.send("POST", "/api/v1/upload", customer, """
                {"nodes":[{"id":"heat-1","name":"Heat meter","type":"heat_meter","readings":[%s]}]}""".formatted(readings));

        // THEN every reading is taken, the device stays a heat meter, and the register is stored in Wh
        assertThat(up.statusCode()).as(up.body()).isEqualTo(200);
        assertThat(ApiClient.JSON.readTree(up.body()).get("accepted").asInt()).isEqualTo(20);
        JsonNode device =
                api.json("GET", "/api/v1/devices?device=heat-1", customer, null).get(0);
        assertThat(device.get("type").asText()).isEqualTo("heat_meter");
        JsonNode latest =
                api.json("GET", "/api/v1/latest?device=heat-1", customer, null).get(0);
        assertThat(latest.get("readings")).anySatisfy(v -> {
            assertThat(v.get("quantity").asText()).isEqualTo("heat_energy");
            assertThat(v.get("unit").asText()).isEqualTo("Wh");
            assertThat(v.get("value").asDouble()).isCloseTo((1000 + 36 * KWH_IN_GJ) * 1e9 / 3600, within(1.0));
        });

        // AND its heat is consumption of the heat commodity: 3 × 12 kWh
        String window = "&from=" + start + "&to=" + start.plus(5, ChronoUnit.HOURS);
        JsonNode heat = ApiClient.await(
                () -> api.json(
                        "GET", "/api/v1/energy?interval=hour&group=total&commodity=heat" + window, customer, null),
                e -> sum(e) >= 36_000 - 1e-3,
                15);
        assertThat(sum(heat)).isCloseTo(36_000, within(1e-3));
        assertThat(heat.get("unit").asText()).isEqualTo("Wh");

        // AND its circulating water is not the household's water
        JsonNode water =
                api.json("GET", "/api/v1/energy?interval=hour&group=total&commodity=water" + window, customer, null);
        assertThat(water.get("points")).isEmpty();

        // AND a heat tariff prices it per kWh: 36 kWh at 0.09
        HttpResponse<String> tariff = api.send("POST", "/api/v1/tariffs", operator, """
                {"id":"district-heat","name":"District heat","commodity":"heat","currency":"EUR",
                 "versions":[{"effective_from":"2026-01-01","pricing":"flat","price":0.09}]}""");
        assertThat(tariff.statusCode()).as(tariff.body()).isEqualTo(201);
        JsonNode bill = api.json("GET", "/api/v1/bill?commodity=heat" + window, customer, null);
        assertThat(bill.get("commodity").asText()).isEqualTo("heat");
        assertThat(bill.get("unit").asText()).isEqualTo("kWh");
        assertThat(bill.get("consumption").asDouble()).isCloseTo(36, within(1e-6));
        assertThat(bill.get("total").asDouble()).isCloseTo(3.24, within(0.005));
    }

    private static double sum(JsonNode energy) {
        return energy.get("points").findValues("amount").stream()
                .mapToDouble(JsonNode::asDouble)
                .sum();
    }
}
