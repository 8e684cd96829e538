package io.meterbase.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterbase.analytics.eval.HourlyEvaluation;
import io.meterbase.analytics.eval.HourlySeries;
import io.meterbase.analytics.forecast.HourlyForecaster;
import java.time.DayOfWeek;
import java.time.LocalDateTime;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HourlyForecasterTest {

    /** A household-like hourly series: evening peak, weekend mornings, noise. */
    private static HourlySeries synthetic(int days) {
        Random r = new Random(3);
        LocalDateTime first = LocalDateTime.of(2021, 1, 4, 0, 0);
        double[] v = new double[days * 24];
        for (int i = 0; i < v.length; i++) {
            LocalDateTime t = first.plusHours(i);
            int h = t.getHour();
            boolean weekend = t.getDayOfWeek() == DayOfWeek.SATURDAY || t.getDayOfWeek() == DayOfWeek.SUNDAY;
            double base = 0.3 + (h >= 18 && h <= 22 ? 1.2 : 0) + (weekend && h >= 8 && h <= 12 ? 0.8 : 0);
            v[i] = Math.max(0, base + r.nextGaussian() * 0.25);
        }
        return new HourlySeries("synthetic", first, v, 0);
    }

    /** With independent noise the best possible MAE is about 0.71 of the seasonal-naive one. */
    @Test
    void bothTasksBeatTheSeasonalNaiveForecasts() {
        HourlySeries s = synthetic(400);

        HourlyEvaluation.Result r =
                HourlyEvaluation.evaluate(s, 380, 14, 7, new HourlyForecaster(0.01, 0.5, 365, false));

        assertThat(r.hourModel.count()).isEqualTo(14 * 24);
        assertThat(r.hourModel.mae()).isLessThan(0.85 * r.hourYesterday.mae());
        assertThat(r.dayModel.mae()).isLessThan(0.85 * r.dayYesterday.mae());
        assertThat(r.dayModel.mae()).isLessThan(0.85 * r.dayLastWeek.mae());
    }

    @Test
    void forecastsAreNeverNegative_onEitherScale() {
        HourlySeries s = synthetic(60);
        for (boolean log : new boolean[] {false, true}) {
            HourlyForecaster m = new HourlyForecaster(0.01, 0.5, 365, log);
            m.train(s.values(), 50 * 24, s.first());
            for (double v : m.nextDay(s.values(), 50 * 24, s.first())) {
                assertThat(v).isNotNegative();
            }
        }
    }
}
