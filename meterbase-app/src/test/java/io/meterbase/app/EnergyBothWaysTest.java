package io.meterbase.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Energy both ways. A real rooftop-PV home's year ({@code ../shared/data/ausgrid-solar-home}: Ausgrid's customer 12, half-hourly
 * consumption and gross PV generation, 2011-07 to 2012-06) sent over HTTP as a net meter and an inverter report it:
 * the grid meter's import and export intervals (half-hourly netting: export = max(generation − consumption, 0)) and
 * the inverter's generation. The balance API must give the year's figures the data's README publishes: 4,734 kWh
 * imported, 92 kWh exported, 1,205 kWh of the PV self-consumed (and the 5,938 kWh consumed, 1,296 kWh generated).
 */
class EnergyBothWaysTest {

    private static final Path DATA = Path.of("../../shared/data/ausgrid-solar-home/customer12_2011-2012.csv");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    /** The file's clock times as Australian Eastern Standard Time: every half-hour once (Brisbane keeps no DST). */
    private static final ZoneOffset AEST = ZoneOffset.ofHours(10);

    @TempDir
    Path dir;

    @Test
    void theYearsImportExportAndSelfConsumption_matchThePublishedFigures() throws Exception {
        assertThat(DATA).as("the shared data beside the repository").exists();
        List<String> lines = Files.readAllLines(DATA);
        assertThat(lines).hasSize(17_569);
        // the year is 2011-12: a server that keeps 20 years of readings takes it
        try (Meterbase server =
                Meterbase.start(TestConfigs.httpOnly(dir).with("ingest.retention", "P7300D"), Clock.systemUTC())) {
            ApiClient api = new ApiClient(server.httpPort());
            String operator = server.newOperatorSecret().orElseThrow();
            JsonNode home = api.json("POST", "/api/v1/customers", operator, """
                    {"name":"Customer 12","site":{"name":"Home","community":"sydney","zone":"Australia/Brisbane"}}""");
            String key = home.at("/api_key/secret").asText();
            long customer = home.get("id").asLong();

            int batch = 1_000;
            for (int first = 1; first < lines.size(); first += batch) {
                ObjectNode upload = ApiClient.JSON.createObjectNode();
                upload.put("gateway", "emonbase");
                ArrayNode nodes = upload.putArray("nodes");
                ArrayNode grid = node(nodes, "grid-meter", "electricity_meter", "main");
                ArrayNode inverter = node(nodes, "inverter", "electricity_meter", "solar");
                for (int i = first; i < Math.min(first + batch, lines.size()); i++) {
                    String[] f = lines.get(i).split(",");
                    long start =
                            LocalDateTime.parse(f[0], STAMP).toInstant(AEST).toEpochMilli();
                    double used = Double.parseDouble(f[1]) / 2; // kWh in the half-hour (the file has kW)
                    double made = Double.parseDouble(f[2]) / 2;
                    interval(grid, "energy_import", start, Math.max(used - made, 0));
                    interval(grid, "energy_export", start, Math.max(made - used, 0));
                    interval(inverter, "energy_export", start, made);
                }
                var answer = api.send("POST", "/api/v1/upload", key, ApiClient.JSON.writeValueAsString(upload));
                assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
            }

            long from = LocalDateTime.parse("2011-07-01T00:00").toInstant(AEST).toEpochMilli();
            long to = LocalDateTime.parse("2012-07-01T00:00").toInstant(AEST).toEpochMilli();
            String path = "/api/v1/energy/balance?interval=month&from=" + Instant.ofEpochMilli(from) + "&to="
                    + Instant.ofEpochMilli(to);
            // the rollups are written by the ingest's writer a moment after the uploads are acknowledged
            JsonNode year = ApiClient.await(
                    () -> api.json("GET", path, key, null),
                    b -> b.get("points").size() == 12 && sum(b, "imported") > 4_733_000,
                    60);
            assertThat(year.get("applies").asBoolean()).isTrue();
            assertThat(sum(year, "imported") / 1000).isCloseTo(4_734, within(0.5));
            assertThat(sum(year, "exported") / 1000).isCloseTo(92, within(0.5));
            assertThat(sum(year, "self_consumed") / 1000).isCloseTo(1_205, within(0.5));
            assertThat(sum(year, "generated") / 1000).isCloseTo(1_296, within(0.5));
            assertThat(sum(year, "consumed") / 1000).isCloseTo(5_938, within(0.5));
            // each month: what the home used is what it imported and made less what it exported
            for (JsonNode m : year.get("points")) {
                assertThat(m.get("consumed").asDouble())
                        .isCloseTo(
                                m.get("imported").asDouble()
                                        + m.get("generated").asDouble()
                                        - m.get("exported").asDouble(),
                                within(1e-6));
                assertThat(m.get("self_sufficiency").asDouble()).isBetween(0.0, 1.0);
                assertThat(m.get("net").asDouble())
                        .isCloseTo(
                                m.get("imported").asDouble() - m.get("exported").asDouble(), within(1e-6));
            }
            // an operator names the customer; without one, a balance is refused with the reason
            assertThat(api.json("GET", path + "&customer=" + customer, operator, null)
                            .get("points")
                            .size())
                    .isEqualTo(12);
            assertThat(api.send("GET", path, operator, null).statusCode()).isEqualTo(400);
            // the bill's consumption is the grid import, not the home's use: the inverter is not a consumer
            JsonNode energy = api.json(
                    "GET",
                    "/api/v1/energy?interval=month&group=total&from=" + Instant.ofEpochMilli(from) + "&to="
                            + Instant.ofEpochMilli(to),
                    key,
                    null);
            double total = 0;
            for (JsonNode p : energy.get("points")) {
                total += p.get("amount").asDouble();
            }
            assertThat(total / 1000).isCloseTo(4_734, within(0.5));
        }
    }

    /**
     * Power that goes negative: a grid meter's power while the home exports gives import and export, a balcony
     * panel's plug reporting its production as negative power gives generation, and a plug on an appliance that
     * reports negative power (wired the wrong way round) never gives negative consumption.
     */
    @Test
    void negativePower_givesExportAndGeneration_neverNegativeConsumption() throws Exception {
        try (Meterbase server = Meterbase.start(TestConfigs.httpOnly(dir), Clock.systemUTC())) {
            ApiClient api = new ApiClient(server.httpPort());
            String operator = server.newOperatorSecret().orElseThrow();
            JsonNode home = api.json("POST", "/api/v1/customers", operator, """
                    {"name":"Flat 3","site":{"name":"Home","community":"north","zone":"UTC"}}""");
            String key = home.at("/api_key/secret").asText();
            // noon yesterday (UTC): the feeder's day below has ended, and its meters' registers can close it
            long today = System.currentTimeMillis() / 86_400_000L * 86_400_000L;
            long hour = today - 12 * 3_600_000L;
            double[] grid = {1200, -600, -600, 300};
            ObjectNode upload = ApiClient.JSON.createObjectNode();
            ArrayNode nodes = upload.putArray("nodes");
            ArrayNode main = node(nodes, "grid-meter", "electricity_meter", "main");
            ArrayNode balcony = node(nodes, "balcony-pv", "smart_plug", "solar");
            ArrayNode fridge = node(nodes, "fridge", "smart_plug", "fridge");
            for (int i = 0; i < grid.length; i++) {
                long ts = hour + i * 15 * 60_000L;
                power(main, ts, grid[i]);
                power(balcony, ts, -300);
                power(fridge, ts, -5);
            }
            var answer = api.send("POST", "/api/v1/upload", key, ApiClient.JSON.writeValueAsString(upload));
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);

            String range = "from=" + Instant.ofEpochMilli(hour) + "&to=" + Instant.ofEpochMilli(hour + 3_600_000L);
            // by hand: the grid meter's line crosses zero at minutes 10 and 40: in 1200 W / 2 x 10 min + 300 W / 2 x
            // 5 min = 112.5 Wh, out 600 W / 2 x 5 min + 600 W x 15 min + 600 W / 2 x 10 min = 225 Wh; the balcony
            // panel made 300 W x 45 min = 225 Wh; the home used 112.5 + 225 - 225 = 112.5 Wh, none of it its own
            JsonNode b = ApiClient.await(
                            () -> api.json("GET", "/api/v1/energy/balance?interval=hour&" + range, key, null),
                            n -> n.get("points").size() == 1
                                    && n.at("/points/0/generated").asDouble() > 224,
                            30)
                    .at("/points/0");
            assertThat(b.get("imported").asDouble()).isCloseTo(112.5, within(1e-6));
            assertThat(b.get("exported").asDouble()).isCloseTo(225, within(1e-6));
            assertThat(b.get("generated").asDouble()).isCloseTo(225, within(1e-6));
            assertThat(b.get("consumed").asDouble()).isCloseTo(112.5, within(1e-6));
            assertThat(b.get("self_consumed").asDouble()).isZero();
            assertThat(b.get("net").asDouble()).isCloseTo(-112.5, within(1e-6));
            // consumption per device: never negative; the home's total is the grid meter's import
            JsonNode perDevice = api.json("GET", "/api/v1/energy?interval=hour&group=device&" + range, key, null);
            for (JsonNode p : perDevice.get("points")) {
                assertThat(p.get("amount").asDouble()).as(p.toString()).isGreaterThanOrEqualTo(0);
            }
            assertThat(perDevice.toString()).contains("\"group\":\"fridge\"");
            JsonNode total = api.json("GET", "/api/v1/energy?interval=hour&group=total&" + range, key, null);
            assertThat(total.at("/points/0/amount").asDouble()).isCloseTo(112.5, within(1e-6));

            // a meter with an import register and signed power but no export register (as a Tasmota sends): the
            // import from the register (100 Wh), the export from the power (225 Wh)
            JsonNode other = api.json("POST", "/api/v1/customers", operator, """
                    {"name":"Flat 4","site":{"name":"Home","community":"north","zone":"UTC"}}""");
            String otherKey = other.at("/api_key/secret").asText();
            ObjectNode up = ApiClient.JSON.createObjectNode();
            ArrayNode meter = node(up.putArray("nodes"), "tasmota-grid", "electricity_meter", "main");
            for (int i = 0; i < grid.length; i++) {
                long ts = hour + i * 15 * 60_000L;
                power(meter, ts, grid[i]);
                meter.addObject()
                        .put("quantity", "energy_import")
                        .put("unit", "Wh")
                        .put("kind", "register")
                        .put("value", 5_000 + (i == 0 ? 0 : 100))
                        .put("ts", ts);
            }
            // its register read again at midnight (nothing more taken): the day is known whole
            meter.addObject()
                    .put("quantity", "energy_import")
                    .put("unit", "Wh")
                    .put("kind", "register")
                    .put("value", 5_100)
                    .put("ts", today);
            assertThat(api.send("POST", "/api/v1/upload", otherKey, ApiClient.JSON.writeValueAsString(up))
                            .statusCode())
                    .isEqualTo(200);
            JsonNode both = ApiClient.await(
                            () -> api.json("GET", "/api/v1/energy/balance?interval=hour&" + range, otherKey, null),
                            n -> n.get("points").size() == 1
                                    && n.at("/points/0/exported").asDouble() > 224,
                            30)
                    .at("/points/0");
            assertThat(both.get("imported").asDouble()).isCloseTo(100, within(1e-6));
            assertThat(both.get("exported").asDouble()).isCloseTo(225, within(1e-6));

            // a feeder's balance behind Flat 3's meter (standing in for a supply meter): Flat 4 took 100 Wh and sent
            // 225 Wh back into the feeder, so the meters behind the supply took -125 Wh from it, not 100; through the
            // supply 112.5 Wh came in and 225 Wh went back: -112.5 Wh
            assertThat(api.send(
                                    "PUT",
                                    "/api/v1/balances/north",
                                    operator,
                                    ApiClient.JSON.writeValueAsString(java.util.Map.of(
                                            "supply_customer", home.get("id").asLong(), "supply_device", "grid-meter")))
                            .statusCode())
                    .isEqualTo(200);
            JsonNode feeder = api.json("GET", "/api/v1/balances/north", operator, null);
            assertThat(feeder.at("/days/0/missing")).as(feeder.toString()).isEmpty();
            assertThat(feeder.at("/days/0/metered").asDouble()).isCloseTo(-125, within(1e-6));
            assertThat(feeder.at("/days/0/supply").asDouble()).isCloseTo(-112.5, within(1e-6));
            assertThat(feeder.at("/days/0/losses").asDouble()).isCloseTo(12.5, within(1e-6));
        }
    }

    private static void power(ArrayNode readings, long ts, double watts) {
        readings.addObject()
                .put("quantity", "active_power")
                .put("unit", "W")
                .put("value", watts)
                .put("ts", ts);
    }

    private static ArrayNode node(ArrayNode nodes, String id, String type, String category) {
        return nodes.addObject()
                .put("id", id)
                .put("type", type)
                .put("category", category)
                .putArray("readings");
    }

    private static void interval(ArrayNode readings, String quantity, long start, double kwh) {
        readings.addObject()
                .put("quantity", quantity)
                .put("unit", "kWh")
                .put("value", kwh)
                .put("kind", "interval")
                .put("ts", start)
                .put("stamp", "start")
                .put("period", 1800);
    }

    private static double sum(JsonNode balance, String field) {
        double s = 0;
        for (JsonNode p : balance.get("points")) {
            s += p.path(field).asDouble();
        }
        return s;
    }
}
