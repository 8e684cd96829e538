package io.meterbase.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Meters in hierarchies, over HTTP, with hand-checked figures: a building's main meter with two tenants' sub-meters
 * (the untracked rest, and sub-meters that exceed the main flagged, never a negative rest), a virtual meter that
 * follows late data, a tenant's recharge bill, a second site, and a water district's balance with a missing meter
 * (no alarm on an incomplete day; the alarm once the meter catches up and the losses are known).
 */
class MeterHierarchyTest {

    private static final long HOUR = 3_600_000L;
    private static final long QUARTER = 900_000L;

    @TempDir
    Path dir;

    @Test
    void subMetersUntrackedVirtualMetersRechargeSites_andADistrictBalance() throws Exception {
        try (Meterbase server = Meterbase.start(
                TestConfigs.httpOnly(dir).with("community.min-customers", "2").with("community.energy-refresh", "PT1S"),
                Clock.systemUTC())) {
            ApiClient api = new ApiClient(server.httpPort());
            String operator = server.newOperatorSecret().orElseThrow();
            JsonNode building = api.json("POST", "/api/v1/customers", operator, """
                    {"name":"Rua Nova 12","site":{"name":"Building","community":"east","zone":"UTC"}}""");
            String key = building.at("/api_key/secret").asText();
            long h1 = (System.currentTimeMillis() / HOUR - 4) * HOUR;
            long h2 = h1 + HOUR;

            // hour 1: the main meter 10 kWh, flat 1 4 kWh, flat 2 3 kWh (its hour comes late, after hour 2);
            // hour 2: the main meter 5 kWh, the flats 4 and 3 kWh (7 kWh: more than the main meter measured)
            assertThat(upload(api, key, h1, new double[] {2.5, 1, 0.75}, false)).isEqualTo(200);
            assertThat(upload(api, key, h2, new double[] {1.25, 1, 0.75}, true)).isEqualTo(200);
            for (String flat : new String[] {"flat-1", "flat-2"}) {
                var put = api.send("PUT", "/api/v1/devices/" + flat + "/parent", key, "{\"parent\":\"main\"}");
                assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
            }
            // a meter is never its own sub-meter, directly or not
            assertThat(api.send("PUT", "/api/v1/devices/main/parent", key, "{\"parent\":\"flat-1\"}")
                            .statusCode())
                    .isEqualTo(400);
            assertThat(api.send("PUT", "/api/v1/devices/nowhere/parent", key, "{\"parent\":\"main\"}")
                            .statusCode())
                    .isEqualTo(404);
            ObjectNode common =
                    ApiClient.JSON.createObjectNode().put("id", "common").put("name", "Common areas");
            common.putArray("plus").add("main");
            common.putArray("minus").add("flat-1").add("flat-2");
            assertThat(api.send("POST", "/api/v1/virtual-meters", key, ApiClient.JSON.writeValueAsString(common))
                            .statusCode())
                    .isEqualTo(201);
            String range = "interval=hour&from=" + Instant.ofEpochMilli(h1) + "&to=" + Instant.ofEpochMilli(h2 + HOUR);
            JsonNode before = ApiClient.await(
                    () -> api.json("GET", "/api/v1/virtual-meters/common/energy?" + range, key, null),
                    // the rollups are written a moment after the uploads are acknowledged
                    v -> v.get("points").size() == 2
                            && Math.abs(v.at("/points/1/amount").asDouble() + 2000) < 1e-6,
                    30);
            // before flat 2's hour 1: 10 - 4 = 6 kWh in hour 1; 5 - 4 - 3 = -2 kWh in hour 2
            assertThat(before.at("/points/0/amount").asDouble()).isCloseTo(6000, within(1e-6));
            assertThat(before.at("/points/1/amount").asDouble()).isCloseTo(-2000, within(1e-6));

            // flat 2's hour 1 arrives late: the virtual meter follows (10 - 4 - 3 = 3 kWh)
            assertThat(lateHour(api, key, h1, 0.75)).isEqualTo(200);
            JsonNode after = ApiClient.await(
                    () -> api.json("GET", "/api/v1/virtual-meters/common/energy?" + range, key, null),
                    v -> Math.abs(v.at("/points/0/amount").asDouble() - 3000) < 1e-6,
                    30);
            assertThat(after.at("/points/1/amount").asDouble()).isCloseTo(-2000, within(1e-6));

            // the tree: hour 1 has 3 kWh untracked; hour 2's sub-meters exceed the main meter by 2 kWh: flagged
            JsonNode tree = api.json("GET", "/api/v1/meters/tree?meter=main&" + range, key, null);
            assertThat(tree.at("/points/0/meter").asDouble()).isCloseTo(10_000, within(1e-6));
            assertThat(tree.at("/points/0/sub_metered").asDouble()).isCloseTo(7_000, within(1e-6));
            assertThat(tree.at("/points/0/untracked").asDouble()).isCloseTo(3_000, within(1e-6));
            assertThat(tree.at("/points/0/sub_meters/flat-2").asDouble()).isCloseTo(3_000, within(1e-6));
            assertThat(tree.at("/points/1/untracked").isNull()).isTrue();
            assertThat(tree.at("/points/1/excess").asDouble()).isCloseTo(2_000, within(1e-6));
            assertThat(tree.at("/points/1/flag").asText()).isEqualTo("sub_meters_exceed_meter");

            // flat 1's recharge bill: its 8 kWh at the building's tariff (0.20 a kWh, no standing charge)
            assertThat(api.send("POST", "/api/v1/tariffs", operator, """
                            {"id":"building","commodity":"electricity","currency":"EUR","versions":[
                              {"effective_from":"2020-01-01","pricing":"flat","price":0.20}]}""").statusCode())
                    .isEqualTo(201);
            String billRange = "from=" + Instant.ofEpochMilli(h1) + "&to=" + Instant.ofEpochMilli(h2 + HOUR);
            JsonNode recharge = api.json("GET", "/api/v1/bill?device=flat-1&" + billRange, key, null);
            assertThat(recharge.get("consumption").decimalValue()).isEqualByComparingTo("8");
            assertThat(recharge.get("total").decimalValue()).isEqualByComparingTo("1.60");
            assertThat(recharge.get("by_device").has("main")).isFalse();
            assertThat(api.send("GET", "/api/v1/bill?device=nowhere&" + billRange, key, null)
                            .statusCode())
                    .isEqualTo(404);

            // a second site: the shop downstairs; its meter moves there, and the balance of a site is its own
            JsonNode shop = api.json("POST", "/api/v1/sites", key, """
                    {"name":"Shop","community":"east","zone":"Europe/Lisbon"}""");
            assertThat(api.json("GET", "/api/v1/sites", key, null)).hasSize(2);
            assertThat(api.send(
                                    "PUT",
                                    "/api/v1/devices/flat-2/site",
                                    key,
                                    ApiClient.JSON.writeValueAsString(java.util.Map.of(
                                            "site", shop.get("id").asLong())))
                            .statusCode())
                    .isEqualTo(200);
            assertThat(api.json("GET", "/api/v1/devices?device=flat-2", key, null)
                            .at("/0/site_id")
                            .asLong())
                    .isEqualTo(shop.get("id").asLong());
            // the shop's balance is its own: it has no grid meter (the building's main meter stays at home)
            assertThat(api.json(
                                    "GET",
                                    "/api/v1/energy/balance?interval=day&site="
                                            + shop.get("id").asLong() + "&" + billRange,
                                    key,
                                    null)
                            .get("points"))
                    .isEmpty();
            long home = api.json("GET", "/api/v1/sites", key, null).at("/0/id").asLong();
            assertThat(api.json("GET", "/api/v1/energy/balance?interval=hour&site=" + home + "&" + billRange, key, null)
                            .get("points"))
                    .isNotEmpty();
            // only an operator puts a site in another community
            assertThat(api.send("POST", "/api/v1/sites", key, "{\"name\":\"Y\",\"community\":\"north\"}")
                            .statusCode())
                    .isEqualTo(403);
            assertThat(api.send(
                                    "POST",
                                    "/api/v1/sites",
                                    key,
                                    "{\"name\":\"X\",\"community\":\"east\",\"zone\":\"Mars\"}")
                            .statusCode())
                    .isEqualTo(400);

            district(server, api, operator);
        }
    }

    /**
     * A water district: the utility's supply meter and three customers' meters, read at midnight. Each day the supply
     * is 1,000 L and the customers use 400, 300 and 200 L: 100 L (10 %) is not metered. The third meter stops
     * after the day before yesterday: the later days are incomplete, and raise no alarm; once it catches up,
     * yesterday's 10 % is above the 5 % alarm.
     */
    private void district(Meterbase server, ApiClient api, String operator) throws Exception {
        JsonNode utility = api.json("POST", "/api/v1/customers", operator, """
                {"name":"Water utility","site":{"name":"Works","community":"works","zone":"UTC"}}""");
        long today = LocalDate.now(ZoneOffset.UTC)
                .atStartOfDay(ZoneOffset.UTC)
                .toInstant()
                .toEpochMilli();
        long day = 86_400_000L;
        String supplyKey = utility.at("/api_key/secret").asText();
        String[] keys = new String[3];
        double[] perDay = {400, 300, 200};
        for (int i = 0; i < 3; i++) {
            keys[i] = api.json(
                            "POST",
                            "/api/v1/customers",
                            operator,
                            ApiClient.JSON.writeValueAsString(java.util.Map.of(
                                    "name",
                                    "Home " + i,
                                    "site",
                                    java.util.Map.of("name", "Home", "community", "north", "zone", "UTC"))))
                    .at("/api_key/secret")
                    .asText();
        }
        for (int d = 3; d >= 0; d--) {
            long t = today - d * day;
            double n = 3 - d; // days since the first read
            assertThat(water(api, supplyKey, "district-north", t, 50_000 + 1000 * n))
                    .isEqualTo(200);
            for (int i = 0; i < 3; i++) {
                if (i == 2 && d < 2) {
                    continue; // the third meter's reads of yesterday and today are missing
                }
                assertThat(water(api, keys[i], "water-meter", t, 10_000 + perDay[i] * n))
                        .isEqualTo(200);
            }
        }
        assertThat(api.send(
                                "PUT",
                                "/api/v1/balances/north",
                                operator,
                                ApiClient.JSON.writeValueAsString(java.util.Map.of(
                                        "supply_customer",
                                        utility.get("id").asLong(),
                                        "supply_device",
                                        "district-north",
                                        "commodity",
                                        "water",
                                        "alarm_above_percent",
                                        5)))
                        .statusCode())
                .isEqualTo(200);
        String range = "from=" + Instant.ofEpochMilli(today - 3 * day) + "&to=" + Instant.ofEpochMilli(today);
        JsonNode b = ApiClient.await(
                () -> api.json("GET", "/api/v1/balances/north?" + range, operator, null),
                n -> n.get("days").size() == 3,
                30);
        JsonNode first = b.at("/days/0");
        assertThat(first.get("supply").asDouble()).isCloseTo(1000, within(1e-6));
        assertThat(first.get("metered").asDouble()).isCloseTo(900, within(1e-6));
        assertThat(first.get("losses_percent").asDouble()).isCloseTo(10, within(1e-6));
        assertThat(first.get("complete").asBoolean()).as(b.toString()).isTrue();
        JsonNode yesterday = b.at("/days/2");
        assertThat(yesterday.get("complete").asBoolean()).isFalse();
        assertThat(yesterday.get("missing").toString()).contains("water-meter");
        assertThat(yesterday.get("meters").asInt()).isEqualTo(3);
        // an incomplete day raises no alarm
        server.control().meters().checkBalances();
        assertThat(api.json("GET", "/api/v1/alarms?type=balance_drift", operator, null))
                .isEmpty();
        // the meter catches up: yesterday is complete, its 10 % is above the 5 % alarm
        for (int d = 1; d >= 0; d--) {
            assertThat(water(api, keys[2], "water-meter", today - d * day, 10_000 + 200 * (3 - d)))
                    .isEqualTo(200);
        }
        ApiClient.await(
                () -> api.json("GET", "/api/v1/balances/north?" + range, operator, null),
                n -> n.at("/days/2/complete").asBoolean(),
                30);
        server.control().meters().checkBalances();
        JsonNode alarms = api.json("GET", "/api/v1/alarms?type=balance_drift", operator, null);
        assertThat(alarms).hasSize(1);
        assertThat(alarms.at("/0/message").asText()).contains("north: 10.0 %").contains("above 5 %");
        // balances are the operators'
        assertThat(api.send("GET", "/api/v1/balances/north", keys[0], null).statusCode())
                .isEqualTo(403);
        // water in the community comparison: this month's, among the three homes with a water meter
        JsonNode water = ApiClient.await(
                        () -> api.json("GET", "/api/v1/community", keys[0], null),
                        n -> n.path("water_month").path("customers").asInt() == 3,
                        30)
                .get("water_month");
        double thisMonth = 0;
        for (JsonNode p : api.json("GET", "/api/v1/energy?commodity=water&interval=month&group=total", keys[0], null)
                .get("points")) {
            thisMonth = p.get("amount").asDouble(); // the last month is this one
        }
        assertThat(water.get("value").asDouble()).isCloseTo(thisMonth, within(1e-6));
        assertThat(api.json("GET", "/api/v1/community", keys[0], null).has("gas_month"))
                .as("no gas meter, no gas comparison")
                .isFalse();
    }

    /** Quarter-hour intervals of the building's three meters over an hour (kWh each), stamped at their ends. */
    private static int upload(ApiClient api, String key, long hour, double[] quarter, boolean withLast)
            throws Exception {
        ObjectNode upload = ApiClient.JSON.createObjectNode();
        ArrayNode nodes = upload.putArray("nodes");
        String[] refs = {"main", "flat-1", "flat-2"};
        for (int m = 0; m < refs.length; m++) {
            ArrayNode readings = nodes.addObject()
                    .put("id", refs[m])
                    .put("type", "electricity_meter")
                    .put("category", m == 0 ? "main" : "other")
                    .putArray("readings");
            for (int q = 1; q <= 4; q++) {
                if (m == 2 && !withLast) {
                    continue; // flat 2's hour comes later
                }
                interval(readings, hour + q * QUARTER, quarter[m]);
            }
        }
        return api.send("POST", "/api/v1/upload", key, ApiClient.JSON.writeValueAsString(upload))
                .statusCode();
    }

    private static int lateHour(ApiClient api, String key, long hour, double kwh) throws Exception {
        ObjectNode upload = ApiClient.JSON.createObjectNode();
        ArrayNode readings =
                upload.putArray("nodes").addObject().put("id", "flat-2").putArray("readings");
        for (int q = 1; q <= 4; q++) {
            interval(readings, hour + q * QUARTER, kwh);
        }
        return api.send("POST", "/api/v1/upload", key, ApiClient.JSON.writeValueAsString(upload))
                .statusCode();
    }

    private static void interval(ArrayNode readings, long end, double kwh) {
        readings.addObject()
                .put("quantity", "energy_import")
                .put("unit", "kWh")
                .put("kind", "interval")
                .put("value", kwh)
                .put("ts", end);
    }

    private static int water(ApiClient api, String key, String meter, long ts, double litres) throws Exception {
        ObjectNode upload = ApiClient.JSON.createObjectNode();
        upload.putArray("nodes")
                .addObject()
                .put("id", meter)
                .put("type", "water_meter")
                .putArray("readings")
                .addObject()
                .put("quantity", "water_volume")
                .put("unit", "L")
                .put("kind", "register")
                .put("value", litres)
                .put("ts", ts);
        return api.send("POST", "/api/v1/upload", key, ApiClient.JSON.writeValueAsString(upload))
                .statusCode();
    }
}
