package io.meterbase.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A demand-response event as customers see it: their own devices among those switched and kept on, never a
 * neighbour's; and the demo's evening event, planned once for the next evening.
 */
class DemandResponseVisibilityTest {

    @TempDir
    Path dir;

    @Test
    void aCustomer_seesOnlyItsOwnDevicesInAnEvent() throws Exception {
        try (Meterbase server = Meterbase.start(TestConfigs.httpOnly(dir), Clock.systemUTC())) {
            ApiClient api = new ApiClient(server.httpPort());
            String operator = server.newOperatorSecret().orElseThrow();
            String[] keys = new String[2];
            long[] ids = new long[2];
            for (int i = 0; i < 2; i++) {
                JsonNode c = api.json("POST", "/api/v1/customers", operator, """
                        {"name":"Home %d","site":{"name":"Home","community":"north","zone":"UTC"}}""".formatted(i));
                keys[i] = c.at("/api_key/secret").asText();
                ids[i] = c.get("id").asLong();
                var up = api.send("POST", "/api/v1/upload", keys[i], """
                        {"ts":%d,"nodes":[{"id":"boiler","category":"water_heater","readings":[
                         {"quantity":"active_power","unit":"W","value":2000}]}]}""".formatted(System.currentTimeMillis()));
                assertThat(up.statusCode()).as(up.body()).isEqualTo(200);
            }
            assertThat(api.send("POST", "/api/v1/dr/programs", operator, """
                            {"id":"heaters","name":"Water heaters","community":"north",
                             "categories":["water_heater"],"stagger_seconds":0}""").statusCode())
                    .isBetween(200, 201);
            for (String key : keys) {
                assertThat(api.send("POST", "/api/v1/dr/programs/heaters/enrolments", key, "{\"device\":\"boiler\"}")
                                .statusCode())
                        .isEqualTo(201);
            }
            Instant start = Instant.now().plusSeconds(3600);
            String event = api.json(
                            "POST",
                            "/api/v1/dr/events",
                            operator,
                            ApiClient.JSON.writeValueAsString(java.util.Map.of(
                                    "program",
                                    "heaters",
                                    "start",
                                    start.toString(),
                                    "end",
                                    start.plusSeconds(3600).toString())))
                    .get("id")
                    .asText();
            for (String key : keys) {
                JsonNode kept =
                        api.json("POST", "/api/v1/dr/events/" + event + "/override", key, "{\"device\":\"boiler\"}");
                assertThat(kept.get("overrides")).hasSize(1);
            }

            JsonNode asSecond = api.json("GET", "/api/v1/dr/events/" + event, keys[1], null);
            assertThat(asSecond.get("overrides").toString()).isEqualTo("[\"" + ids[1] + "/boiler\"]");
            JsonNode listed =
                    api.json("GET", "/api/v1/dr/events", keys[0], null).get(0);
            assertThat(listed.get("overrides").toString()).isEqualTo("[\"" + ids[0] + "/boiler\"]");
            assertThat(api.json("GET", "/api/v1/dr/events/" + event, operator, null)
                            .get("overrides"))
                    .hasSize(2);
        }
    }

    @Test
    void theDemosEveningEvent_isPlannedOnce_forTheNextEvening() throws Exception {
        try (Meterbase server = Meterbase.start(TestConfigs.httpOnly(dir), Clock.systemUTC())) {
            ZoneId zone = ZoneId.of("Europe/Madrid");
            DemoControl.setUp(server, zone);
            // a day to come (the server refuses events already over by its own clock)
            LocalDate today = LocalDate.now(zone).plusDays(1);
            // planned in the morning: this evening's; again: the same one
            Instant morning = ZonedDateTime.of(today.atTime(9, 0), zone).toInstant();
            var first = DemoControl.eveningEvent(server, zone, morning);
            assertThat(first.start())
                    .isEqualTo(ZonedDateTime.of(today.atTime(19, 0), zone).toInstant());
            assertThat(first.end())
                    .isEqualTo(ZonedDateTime.of(today.atTime(20, 30), zone).toInstant());
            assertThat(DemoControl.eveningEvent(server, zone, morning.plusSeconds(600))
                            .id())
                    .isEqualTo(first.id());
            // after it ended: tomorrow's
            Instant night = ZonedDateTime.of(today.atTime(21, 0), zone).toInstant();
            var next = DemoControl.eveningEvent(server, zone, night);
            assertThat(next.start())
                    .isEqualTo(ZonedDateTime.of(today.plusDays(1).atTime(19, 0), zone)
                            .toInstant());
            assertThat(next.programId()).isEqualTo("heaters");
            assertThat(server.control().demandResponse().events()).hasSize(2);
        }
    }
}
