package io.meterbase.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** An appliance uses about the same energy a day whether it is simulated by the minute or by the hour. */
class ApplianceEnergyTest {

    /** kWh a day, averaged over {@code days}, at {@code stepMillis}. */
    private static double kwhPerDay(Appliance.Kind kind, long stepMillis, int days) {
        Appliance a = new Appliance(kind, 42);
        long start = Instant.parse("2026-10-01T00:00:00Z").toEpochMilli();
        double wh = 0;
        for (long t = start; t < start + days * 86_400_000L; t += stepMillis) {
            wh += a.power(t, Instant.ofEpochMilli(t).atZone(ZoneOffset.UTC).toLocalTime(), stepMillis)
                    * stepMillis
                    / 3_600_000.0;
        }
        return wh / 1000 / days;
    }

    @Test
    void aKettle_boilsForMinutesAnHour_inHourlyHistoryToo() {
        double byMinute = kwhPerDay(Appliance.Kind.KETTLE, 60_000, 30);
        double byHour = kwhPerDay(Appliance.Kind.KETTLE, 3_600_000, 30);

        assertThat(byMinute).isBetween(0.3, 3.0);
        assertThat(byHour).isBetween(byMinute / 2, byMinute * 2);
    }

    @Test
    void everyBurstLoad_isAlikeAtBothResolutions() {
        for (Appliance.Kind kind : new Appliance.Kind[] {Appliance.Kind.WASHING_MACHINE, Appliance.Kind.WATER_HEATER}) {
            double byMinute = kwhPerDay(kind, 60_000, 60);
            double byHour = kwhPerDay(kind, 3_600_000, 60);
            assertThat(byHour).as(kind.name()).isBetween(byMinute / 2, byMinute * 2);
        }
    }
}
