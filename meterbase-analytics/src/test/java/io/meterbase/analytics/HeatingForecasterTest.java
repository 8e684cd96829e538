package io.meterbase.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.meterbase.analytics.forecast.HeatingForecaster;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Gas forecasts from heating degree-days on a synthetic home: 28 days whose outdoor temperature swings between a
 * mild and a cold spell, gas of 1 m³ a day plus 0.4 m³ per degree-day, used mostly in the morning and evening.
 */
class HeatingForecasterTest {

    private static final int DAYS = 28;

    /** Mean temperature of day d: from 12 °C down to -2 °C and back. */
    private static double dayCelsius(int d) {
        return 5 + 7 * Math.cos(2 * Math.PI * d / 14.0);
    }

    private static double[] celsius() {
        double[] c = new double[DAYS * 24];
        for (int t = 0; t < c.length; t++) {
            c[t] = dayCelsius(t / 24) + 3 * Math.sin(2 * Math.PI * (t % 24 - 9) / 24.0);
        }
        return c;
    }

    private static double[] gas(long seed) {
        Random r = new Random(seed);
        double[] shape = new double[24];
        double sum = 0;
        for (int h = 0; h < 24; h++) {
            shape[h] = h >= 6 && h <= 9 || h >= 17 && h <= 22 ? 3 : 0.5;
            sum += shape[h];
        }
        double[] y = new double[DAYS * 24];
        for (int d = 0; d < DAYS; d++) {
            double hdd = Math.max(0, HeatingForecaster.BASE_CELSIUS - dayCelsius(d));
            double total = (1 + 0.4 * hdd) * (1 + 0.03 * r.nextGaussian());
            for (int h = 0; h < 24; h++) {
                y[d * 24 + h] = total * shape[h] / sum;
            }
        }
        return y;
    }

    @Test
    void withTheOutdoorTemperature_theDaysGasFollowsItsDegreeDays() {
        double[] y = gas(1);
        HeatingForecaster.Forecast f = HeatingForecaster.forecast(y, celsius());

        // THEN the fit finds about 0.4 m³ per degree-day on 1 m³ a day, and the next day is forecast for the
        // degree-days of the last one
        assertThat(f).isNotNull();
        assertThat(f.fit()).isNotNull();
        assertThat(f.fit().perDegreeDay()).isCloseTo(0.4, within(0.03));
        assertThat(f.fit().intercept()).isCloseTo(1.0, within(0.3));
        double lastHdd = HeatingForecaster.degreeDays(celsius(), (DAYS - 1) * 24);
        assertThat(f.degreeDays()).isCloseTo(lastHdd, within(1e-9));
        assertThat(f.total()).isCloseTo(1 + 0.4 * lastHdd, within(0.15 * (1 + 0.4 * lastHdd)));
        // AND the hours follow the home's own day: more at 7:00 than at 3:00, the interval around each value
        assertThat(f.hours()[7]).isGreaterThan(5 * f.hours()[3]);
        for (int h = 0; h < 24; h++) {
            assertThat(f.low()[h]).isLessThanOrEqualTo(f.hours()[h]);
            assertThat(f.high()[h]).isGreaterThanOrEqualTo(f.hours()[h]);
        }
    }

    @Test
    void withoutTemperature_theNextDayIsTheLastWeeksMean() {
        double[] y = gas(2);
        HeatingForecaster.Forecast f = HeatingForecaster.forecast(y, null);

        double week = 0;
        for (int t = y.length - 7 * 24; t < y.length; t++) {
            week += y[t];
        }
        assertThat(f).isNotNull();
        assertThat(f.fit()).isNull();
        assertThat(f.total()).isCloseTo(week / 7, within(1e-9));
    }

    @Test
    void lessThanAWeekOfHistory_givesNoForecast() {
        assertThat(HeatingForecaster.forecast(java.util.Arrays.copyOf(gas(3), 6 * 24), null))
                .isNull();
    }
}
