package io.meterbase.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meterbase.analytics.eval.FleetEvaluation;
import io.meterbase.analytics.eval.HourlySeries;
import io.meterbase.analytics.forecast.FleetForecaster;
import java.time.DayOfWeek;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FleetForecasterTest {

    private static final LocalDateTime FIRST = LocalDateTime.of(2021, 1, 4, 0, 0);

    /** Households of different sizes with an evening peak and weekend mornings, and noise. */
    private static HourlySeries household(int days, double size, long seed) {
        Random r = new Random(seed);
        double[] v = new double[days * 24];
        for (int i = 0; i < v.length; i++) {
            LocalDateTime t = FIRST.plusHours(i);
            int h = t.getHour();
            boolean weekend = t.getDayOfWeek() == DayOfWeek.SATURDAY || t.getDayOfWeek() == DayOfWeek.SUNDAY;
            double base = 0.3 + (h >= 18 && h <= 22 ? 1.2 : 0) + (weekend && h >= 8 && h <= 12 ? 0.8 : 0);
            v[i] = size * Math.max(0, base + r.nextGaussian() * 0.25);
        }
        return new HourlySeries("home " + seed, FIRST, v, 0);
    }

    @Test
    void oneSetOfModelsForecastsMetersOfAnySize_betterThanSeasonalNaive() {
        List<HourlySeries> homes = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            homes.add(household(90, 0.5 + i * 2, i));
        }

        FleetEvaluation.Result r = FleetEvaluation.evaluate(
                homes, FIRST.toLocalDate().plusDays(76), 14, 7, 365, new FleetForecaster(0.01, 0.5, 5_000, true));

        assertThat(r.errors.dayModel.count()).isEqualTo(6 * 14 * 24);
        assertThat(r.errors.dayModel.mae()).isLessThan(0.85 * r.errors.dayYesterday.mae());
        assertThat(r.errors.dayModel.mae()).isLessThan(0.85 * r.errors.dayLastWeek.mae());
        assertThat(r.errors.hourModel.mae()).isLessThan(0.85 * r.errors.hourYesterday.mae());
        // an 80 % interval from the meters' own recent errors holds roughly 80 % of what happens
        assertThat(r.coverage()).isBetween(0.7, 0.9);
    }

    @Test
    void forecastsScaleWithTheMeter_andAreNeverNegative() {
        FleetForecaster m = new FleetForecaster(0.01, 0.5, 5_000, true);
        HourlySeries small = household(60, 1, 1);
        HourlySeries large = household(60, 10, 1);
        m.train(
                List.of(
                        new FleetForecaster.Series(small.values(), FIRST),
                        new FleetForecaster.Series(large.values(), FIRST)),
                60,
                1);

        int origin = 60 * 24 - 1;
        FleetForecaster.Forecast a = m.forecast(new FleetForecaster.Series(small.values(), FIRST), origin, 14, 0.8);
        FleetForecaster.Forecast b = m.forecast(new FleetForecaster.Series(large.values(), FIRST), origin, 14, 0.8);

        for (int h = 0; h < 24; h++) {
            assertThat(b.value()[h]).isCloseTo(10 * a.value()[h], org.assertj.core.data.Offset.offset(1e-6));
            assertThat(a.low()[h]).isNotNegative().isLessThanOrEqualTo(a.value()[h]);
            assertThat(a.high()[h]).isGreaterThanOrEqualTo(a.value()[h]);
        }
        // the evening peak (18-22 h) is forecast above the night
        assertThat(a.value()[19]).isGreaterThan(2 * a.value()[3]);
    }

    @Test
    void aMeterThatUsesNothingIsForecastNothing_andOneWithoutHistoryNotAtAll() {
        FleetForecaster m = new FleetForecaster(0.01, 0.5, 5_000, true);
        HourlySeries home = household(50, 1, 2);
        m.train(List.of(new FleetForecaster.Series(home.values(), FIRST)), 50, 1);

        double[] idle = new double[50 * 24];
        assertThat(m.forecast(new FleetForecaster.Series(idle, FIRST), idle.length - 1)
                        .value())
                .containsOnly(0.0);
        double[] unknown = new double[50 * 24];
        Arrays.fill(unknown, Double.NaN);
        assertThat(m.forecast(new FleetForecaster.Series(unknown, FIRST), unknown.length - 1))
                .isNull();
        assertThat(m.forecast(new FleetForecaster.Series(home.values(), FIRST), 100))
                .isNull();
    }

    @Test
    void trainingNeedsFourWeeksOfSomeMeter() {
        HourlySeries young = household(20, 1, 3);
        assertThatThrownBy(() -> new FleetForecaster(0.01, 0.5, 5_000, true)
                        .train(List.of(new FleetForecaster.Series(young.values(), FIRST)), 20, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("too little history");
    }
}
