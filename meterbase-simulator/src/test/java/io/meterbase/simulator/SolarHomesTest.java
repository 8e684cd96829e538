package io.meterbase.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The simulated solar homes: a year's yield like a roof in central Spain, home 1 exporting at noon and importing at
 * night, a battery that stores the midday surplus and gives it back in the evening, and a grid meter that sees
 * exactly what the appliances draw less what the panels and the battery give.
 */
class SolarHomesTest {

    private static final ZoneId MADRID = ZoneId.of("Europe/Madrid");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aYearOfPanels_yieldsAbout1430KwhPerKwp_moreInJuneThanInDecember() {
        SolarPanels panels = new SolarPanels(1000, 4, MADRID);
        long start = LocalDate.of(2026, 1, 1).atStartOfDay(MADRID).toInstant().toEpochMilli();
        double year = 0;
        double june = 0;
        double december = 0;
        for (long t = start; t < start + 365 * 86_400_000L; t += 300_000) {
            double wh = panels.power(t) / 12;
            year += wh;
            int month = java.time.Instant.ofEpochMilli(t).atZone(MADRID).getMonthValue();
            june += month == 6 ? wh : 0;
            december += month == 12 ? wh : 0;
        }
        assertThat(year / 1000).as("kWh per kWp in a year").isBetween(1300.0, 1600.0);
        assertThat(june).isGreaterThan(2 * december);
        assertThat(panels.power(LocalDate.of(2026, 6, 21)
                        .atStartOfDay(MADRID)
                        .toInstant()
                        .toEpochMilli()))
                .as("nothing at midnight")
                .isZero();
    }

    @Test
    void homeOne_exportsAtNoon_importsAtNight_andItsGridMeterBalances() throws Exception {
        Home home = new Home(1, MADRID);
        assertThat(home.hasSolar()).isTrue();
        assertThat(home.hasBattery()).isFalse();
        // a clear enough May day, minute by minute
        long day = LocalDate.of(2026, 5, 12).atStartOfDay(MADRID).toInstant().toEpochMilli();
        JsonNode nodes = JSON.readTree(home.upload(day, 1440, 60_000)).get("nodes");
        Map<String, double[]> power = powers(nodes);
        double[] grid = power.get("grid");
        double[] solar = power.get("solar");
        double[] load = new double[1440];
        power.forEach((id, p) -> {
            if (id.startsWith("plug-")) {
                for (int m = 0; m < 1440; m++) {
                    load[m] += p[m];
                }
            }
        });
        for (int m = 0; m < 1440; m++) {
            // the meter's value is rounded to 0.1 W, as each plug's and the panels' are
            assertThat(grid[m]).isCloseTo(load[m] - solar[m], within(0.05 * (power.size() + 1)));
        }
        assertThat(average(grid, 12 * 60, 15 * 60))
                .as("noon to 15:00: exporting")
                .isLessThan(-500);
        assertThat(average(grid, 1 * 60, 5 * 60)).as("night: importing").isGreaterThan(0);
        assertThat(average(solar, 1 * 60, 5 * 60)).isZero();
        // the export register climbs by what went out
        JsonNode gridNode = node(nodes, "grid");
        double exported = last(gridNode, "energy_export") - first(gridNode, "energy_export");
        double byPower = 0;
        for (double g : grid) {
            byPower += Math.max(0, -g) / 60;
        }
        assertThat(exported).isCloseTo(byPower, within(2.0));
    }

    @Test
    void aBattery_storesTheMiddaySurplus_andGivesItBackInTheEvening() throws Exception {
        Home home = new Home(7, MADRID);
        assertThat(home.hasBattery()).isTrue();
        long day = LocalDate.of(2026, 6, 15).atStartOfDay(MADRID).toInstant().toEpochMilli();
        JsonNode nodes = JSON.readTree(home.upload(day, 1440, 60_000)).get("nodes");
        double[] battery = powers(nodes).get("battery");
        double[] soc = values(node(nodes, "battery"), "state_of_charge");
        assertThat(average(battery, 11 * 60, 15 * 60)).as("charging at midday").isLessThan(0);
        assertThat(soc[16 * 60]).isGreaterThan(soc[9 * 60]);
        assertThat(average(battery, 20 * 60, 23 * 60))
                .as("discharging in the evening")
                .isGreaterThan(0);
        for (double s : soc) {
            assertThat(s).isBetween(9.9, 100.0);
        }
    }

    private static Map<String, double[]> powers(JsonNode nodes) {
        Map<String, double[]> out = new HashMap<>();
        for (JsonNode n : nodes) {
            out.put(n.get("id").asText(), values(n, "active_power"));
        }
        return out;
    }

    private static double[] values(JsonNode node, String quantity) {
        return java.util.stream.StreamSupport.stream(node.get("readings").spliterator(), false)
                .filter(r -> r.get("quantity").asText().equals(quantity))
                .mapToDouble(r -> r.get("value").asDouble())
                .toArray();
    }

    private static JsonNode node(JsonNode nodes, String id) {
        for (JsonNode n : nodes) {
            if (n.get("id").asText().equals(id)) {
                return n;
            }
        }
        throw new AssertionError("no node " + id);
    }

    private static double first(JsonNode node, String quantity) {
        return values(node, quantity)[0];
    }

    private static double last(JsonNode node, String quantity) {
        double[] v = values(node, quantity);
        return v[v.length - 1];
    }

    private static double average(double[] values, int from, int to) {
        double sum = 0;
        for (int i = from; i < to; i++) {
            sum += values[i];
        }
        return sum / (to - from);
    }
}
