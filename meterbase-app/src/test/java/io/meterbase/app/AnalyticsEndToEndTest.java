package io.meterbase.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Analytics as users meet them: gateways upload 45 days of hourly meter registers; an operator runs the analytics;
 * each customer reads the forecasts of their own meter, their incidents (a home that stopped using electricity, a
 * dripping tap) and alarms, and their cluster; nobody sees another customer's; operators see community totals and
 * the clustering.
 */
class AnalyticsEndToEndTest {

    private static final int DAYS = 45;
    private static final int HOMES = 6;

    @TempDir
    Path dir;

    @Test
    void forecastsIncidentsAndClustersOverHttp() throws Exception {
        Meterbase server = Meterbase.start(
                MeterbaseConfig.defaults()
                        .with("data.dir", dir.resolve("server").toString())
                        .with("http.port", "0")
                        .with("mqtt.enabled", "false")
                        .with("coap.enabled", "false")
                        .with("analytics.enabled", "false"),
                Clock.systemUTC());
        try {
            ApiClient api = new ApiClient(server.httpPort());
            String operator = server.newOperatorSecret().orElseThrow();
            String[] keys = new String[HOMES];
            long[] ids = new long[HOMES];
            for (int i = 0; i < HOMES; i++) {
                JsonNode c = api.json("POST", "/api/v1/customers", operator, """
                        {"name":"Home %d","site":{"name":"Home","community":"east","zone":"UTC"}}""".formatted(i));
                keys[i] = c.at("/api_key/secret").asText();
                ids[i] = c.get("id").asLong();
            }
            Instant now = Instant.now();
            Instant first = now.truncatedTo(ChronoUnit.HOURS).minus(DAYS * 24L, ChronoUnit.HOURS);
            for (int i = 0; i < HOMES; i++) {
                uploadElectricity(api, keys[i], first, now, 0.6 + 0.15 * i, i, i == HOMES - 1);
            }
            uploadWater(api, keys[0], first, now);

            // only operators run the analytics
            assertThat(api.send("POST", "/api/v1/analytics/run", keys[0], "").statusCode())
                    .isEqualTo(403);
            JsonNode run = awaitRun(api, operator);
            assertThat(run.at("/forecasts/meters").asInt()).isEqualTo(HOMES);
            assertThat(run.at("/forecasts/communities").asInt()).isEqualTo(1);

            // forecasts: each customer their own meter, 24 hours with intervals
            JsonNode mine = api.json("GET", "/api/v1/forecasts", keys[2], null);
            assertThat(mine.get("meters")).hasSize(1);
            JsonNode meter = mine.at("/meters/0");
            assertThat(meter.get("device").asText()).isEqualTo("meter");
            assertThat(meter.get("customer").asLong()).isEqualTo(ids[2]);
            assertThat(meter.get("hours")).hasSize(24);
            assertThat(meter.get("next_hour")).isEqualTo(meter.at("/hours/0"));
            assertThat(meter.at("/hours/0/low").asDouble())
                    .isLessThanOrEqualTo(meter.at("/hours/0/value").asDouble());
            assertThat(meter.at("/hours/0/high").asDouble())
                    .isGreaterThanOrEqualTo(meter.at("/hours/0/value").asDouble());
            assertThat(mine.get("next_24h_total").asDouble()).isGreaterThan(5_000); // Wh: a home's day
            JsonNode own = api.json("GET", "/api/v1/devices/meter/forecast", keys[2], null);
            assertThat(own.get("customer").asLong()).isEqualTo(ids[2]);
            assertThat(api.send("GET", "/api/v1/devices/water/forecast", keys[2], null)
                            .statusCode())
                    .isEqualTo(404);
            assertThat(api.send("GET", "/api/v1/communities/east/forecast", keys[2], null)
                            .statusCode())
                    .isEqualTo(403);
            JsonNode area = api.json("GET", "/api/v1/communities/east/forecast", operator, null);
            assertThat(area.get("community").asText()).isEqualTo("east");
            assertThat(area.at("/hours/0/value").asDouble())
                    .isGreaterThan(meter.at("/hours/0/value").asDouble());

            // incidents: the home that stopped, and the dripping tap; each customer sees only their own
            JsonNode stopped = api.json("GET", "/api/v1/incidents", keys[HOMES - 1], null);
            assertThat(stopped).singleElement().satisfies(i -> {
                assertThat(i.get("type").asText()).isEqualTo("zero_use");
                assertThat(i.get("device").asText()).isEqualTo("meter");
                assertThat(i.get("confidence").asDouble()).isBetween(0.5, 1.0);
                assertThat(i.at("/evidence/hourly")).hasSize(72);
            });
            JsonNode tap = api.json("GET", "/api/v1/incidents", keys[0], null);
            assertThat(tap).singleElement().satisfies(i -> {
                assertThat(i.get("type").asText()).isEqualTo("small_leak");
                assertThat(i.get("device").asText()).isEqualTo("water");
            });
            assertThat(api.json("GET", "/api/v1/incidents", keys[2], null)).isEmpty();
            String tapId = tap.at("/0/id").asText();
            assertThat(api.send("GET", "/api/v1/incidents/" + tapId, keys[2], null)
                            .statusCode())
                    .isEqualTo(404);
            assertThat(api.json("GET", "/api/v1/incidents/" + tapId, keys[0], null)
                            .get("type")
                            .asText())
                    .isEqualTo("small_leak");
            assertThat(api.json("GET", "/api/v1/incidents", operator, null)).hasSize(2);
            // and reach the customer as alarms
            JsonNode alarms = api.json("GET", "/api/v1/alarms", keys[0], null);
            assertThat(alarms.findValuesAsText("type")).contains("small_leak");

            // clusters: each customer their own; the whole clustering for operators only
            JsonNode cluster = api.json("GET", "/api/v1/cluster", keys[1], null);
            assertThat(cluster.at("/cluster/description").asText()).isNotBlank();
            assertThat(cluster.at("/cluster/weekday")).hasSize(24);
            assertThat(api.send("GET", "/api/v1/clusters", keys[1], null).statusCode())
                    .isEqualTo(403);
            JsonNode clusters = api.json("GET", "/api/v1/clusters", operator, null);
            assertThat(clusters.get("customers").asInt()).isEqualTo(HOMES);
            assertThat(clusters.get("k").asInt()).isBetween(2, 5);
        } finally {
            server.close();
        }
    }

    /** Runs the analytics until the hourly rollups of the uploads are all there (they are made in the background). */
    private static JsonNode awaitRun(ApiClient api, String operator) throws Exception {
        return ApiClient.await(
                () -> {
                    HttpResponse<String> r = api.send("POST", "/api/v1/analytics/run?retrain=true", operator, "");
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                    return new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body());
                },
                run -> run.at("/forecasts/meters").asInt() == HOMES
                        && run.at("/incidents/open").size() == 2,
                60);
    }

    /**
     * A home's meter register (kWh), hour by hour: 0.3 kWh an hour, 1.5 kWh in the evening, noise; when
     * {@code stops}, nothing more is used in the last 73 hours.
     */
    private static void uploadElectricity(
            ApiClient api, String key, Instant first, Instant now, double size, long seed, boolean stops)
            throws Exception {
        Random r = new Random(seed);
        double register = 1000;
        List<String> readings = new ArrayList<>();
        // it stops one hour before the 72 hours the incidents look at: the step between two register reads is
        // booked into the hour of the later one, so the evening hour's use before a stop at the window's start
        // would land in its first hour (whether that is zero use then depended on the time of day the test ran)
        long stopAt =
                now.truncatedTo(ChronoUnit.HOURS).minus(73, ChronoUnit.HOURS).toEpochMilli();
        for (Instant t = first; !t.isAfter(now); t = t.plus(1, ChronoUnit.HOURS)) {
            readings.add(String.format(
                    Locale.ROOT,
                    "{\"quantity\":\"energy_import\",\"unit\":\"kWh\",\"value\":%.4f,\"kind\":\"register\",\"ts\":%d}",
                    register,
                    t.toEpochMilli()));
            int h = t.atZone(ZoneOffset.UTC).getHour();
            double used = size * Math.max(0.02, 0.3 + (h >= 18 && h <= 22 ? 1.2 : 0) + r.nextGaussian() * 0.08);
            register += stops && t.toEpochMilli() >= stopAt ? 0 : used;
        }
        upload(api, key, "meter", "main", readings);
    }

    /** A water register (L): 40 L/h morning and evening; 3 L/h every night hour for the last 4 nights. */
    private static void uploadWater(ApiClient api, String key, Instant first, Instant now) throws Exception {
        double register = 50_000;
        List<String> readings = new ArrayList<>();
        Instant leakFrom = now.truncatedTo(ChronoUnit.DAYS).minus(4, ChronoUnit.DAYS);
        for (Instant t = first; !t.isAfter(now); t = t.plus(1, ChronoUnit.HOURS)) {
            readings.add(String.format(
                    Locale.ROOT,
                    "{\"quantity\":\"water_volume\",\"unit\":\"L\",\"value\":%.1f,\"kind\":\"register\",\"ts\":%d}",
                    register,
                    t.toEpochMilli()));
            int h = t.atZone(ZoneOffset.UTC).getHour();
            register += (h == 7 || h == 19 ? 40 : 0) + (!t.isBefore(leakFrom) && h < 6 ? 3 : 0);
        }
        upload(api, key, "water", "other", readings);
    }

    private static void upload(ApiClient api, String key, String node, String category, List<String> readings)
            throws Exception {
        for (int from = 0; from < readings.size(); from += 500) {
            String body = "{\"gateway\":\"gw\",\"nodes\":[{\"id\":\"" + node + "\",\"category\":\"" + category
                    + "\",\"readings\":["
                    + String.join(",", readings.subList(from, Math.min(readings.size(), from + 500)))
                    + "]}]}";
            HttpResponse<String> r = api.send("POST", "/api/v1/upload", key, body);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        }
    }
}
