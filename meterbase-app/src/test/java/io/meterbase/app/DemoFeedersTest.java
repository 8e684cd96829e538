package io.meterbase.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.meterbase.simulator.Home;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

/**
 * The demo's feeders over a simulated day (the demo's 50 homes, minute by minute, the even ones on the north feeder):
 * calm at night and through the day, over capacity in the evening when water heaters and electric cars start
 * together, and back below it once the evening event has switched the north feeder's water heaters off.
 */
class DemoFeedersTest {

    @Test
    void theNorthFeeder_peaksInTheEvening_andTheEveningEventBringsItBelowCapacity() throws Exception {
        ZoneId zone = ZoneId.of("Europe/Madrid");
        double[] load = new double[24]; // kW, each hour's average
        double[] heaters = new double[24];
        long day = LocalDate.of(2026, 12, 1).atStartOfDay(zone).toInstant().toEpochMilli();
        for (int i = 2; i <= 50; i += 2) {
            JsonNode nodes = ApiClient.JSON
                    .readTree(new Home(i, zone).upload(day, 1440, 60_000))
                    .get("nodes");
            // the feeder counts a home's grid meter where it has one (its solar homes), else its appliances
            boolean metered = false;
            for (JsonNode n : nodes) {
                metered |= n.get("category").asText().equals("main");
            }
            for (JsonNode n : nodes) {
                boolean heater = n.get("category").asText().equals("water_heater");
                boolean counted = !metered || n.get("category").asText().equals("main");
                for (JsonNode r : n.get("readings")) {
                    if (r.get("quantity").asText().equals("active_power")) {
                        int hour = LocalDateTime.ofInstant(
                                        Instant.ofEpochMilli(r.get("ts").asLong()), zone)
                                .getHour();
                        double kw = r.get("value").asDouble() / 1000 / 60;
                        load[hour] += counted ? kw : 0;
                        if (heater) {
                            heaters[hour] += kw;
                        }
                    }
                }
            }
        }
        double capacity = DemoControl.CAPACITY_KW;
        for (int h : new int[] {1, 3, 10, 12, 15}) {
            assertThat(load[h])
                    .as("hour %d is below 80 %% of capacity (normal)", h)
                    .isLessThan(0.8 * capacity);
        }
        assertThat(load[19]).as("19:00 is over capacity (critical)").isGreaterThan(capacity);
        assertThat(load[19] - heaters[19])
                .as("with its water heaters off, the feeder is below capacity again")
                .isLessThan(capacity);
        assertThat(heaters[19]).as("what the event takes off is visible").isGreaterThan(0.2 * capacity);
        assertThat(DemoControl.EVENING_FROM.getHour()).isEqualTo(19);
    }
}
