package io.meterbase.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.meterbase.analytics.eval.HourlySeries;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The data loaders find their columns by name and refuse a layout they do not know. */
class LoadersTest {

    /** One day of half-hours for customer 42: 0.1 kWh in each, 0.5 in the two of 08:00. */
    private static String day(String header, String row) {
        StringBuilder csv = new StringBuilder(header).append('\n');
        LocalDateTime t = LocalDateTime.of(2013, 3, 4, 0, 0);
        for (int i = 0; i < 48; i++) {
            double kwh = t.getHour() == 8 ? 0.5 : 0.1;
            csv.append(String.format(java.util.Locale.ROOT, row, t.toString().replace('T', ' ') + ":00", kwh))
                    .append('\n');
            t = t.plusMinutes(30);
        }
        return csv.toString();
    }

    private static Path gz(Path dir, String text) throws IOException {
        Path f = dir.resolve("sgsc.csv.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(f))) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return f;
    }

    @Test
    void sgsc_inTheStandardLayout_readsTheSupplyColumn_notTheCalendarKey(@TempDir Path dir) throws Exception {
        // GIVEN the standard SGSC layout, where column 3 is calendar_key (a large number), not kWh
        Path f = gz(
                dir,
                day(
                        "CUSTOMER_ID,READING_DATETIME,CALENDAR_KEY,EVENT_KEY,GENERAL_SUPPLY_KWH,CONTROLLED_LOAD_KWH",
                        "42,%s,467459,1,%s,0"));

        // WHEN it is loaded
        Map<String, HourlySeries> series = HourlySeries.sgsc(f);

        // THEN each hour is the sum of its two half-hours of general supply
        HourlySeries s = series.get("42");
        assertThat(s.values()).hasSize(24);
        assertThat(s.values()[0]).isCloseTo(0.2, within(1e-9));
        assertThat(s.values()[8]).isCloseTo(1.0, within(1e-9));
    }

    @Test
    void sgsc_inTheThreeColumnExtract_isReadTheSameWay(@TempDir Path dir) throws Exception {
        Path f = gz(dir, day("customer_id,reading_datetime,general_supply_kwh", "42,%s,%s"));

        HourlySeries s = HourlySeries.sgsc(f).get("42");

        assertThat(s.values()[8]).isCloseTo(1.0, within(1e-9));
        assertThat(s.values()[23]).isCloseTo(0.2, within(1e-9));
    }

    @Test
    void sgsc_inALayoutItDoesNotKnow_isRefusedSayingWhatIsMissing(@TempDir Path dir) throws Exception {
        Path f = gz(dir, day("customer,time,kwh", "42,%s,%s"));

        assertThatThrownBy(() -> HourlySeries.sgsc(f))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("layout not recognised")
                .hasMessageContaining("customer_id, reading_datetime, general_supply_kwh are missing")
                .hasMessageContaining("customer,time,kwh");
    }

    @Test
    void sgsc_theSharedExtract_givesHouseholdSizedHours() throws Exception {
        // the project's shared data sits beside the repository (see README)
        Path f = Path.of("../../shared/data/sgsc-smartmeter/sgsc_smart_meter10.csv.gz");
        assertThat(f).as("the shared data beside the repository").exists();
        Map<String, HourlySeries> series = HourlySeries.sgsc(f);

        assertThat(series).isNotEmpty();
        double max = 0;
        for (HourlySeries s : series.values()) {
            for (double v : s.values()) {
                if (!Double.isNaN(v)) {
                    max = Math.max(max, v);
                }
            }
        }
        // a household draws at most a few tens of kWh in an hour; a calendar key read as kWh is ~10^5
        assertThat(max).isGreaterThan(0.5).isLessThan(50);
    }
}
