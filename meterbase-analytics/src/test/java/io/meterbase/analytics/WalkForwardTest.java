package io.meterbase.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.meterbase.analytics.eval.DailySeries;
import io.meterbase.analytics.eval.WalkForward;
import io.meterbase.analytics.forecast.Baselines;
import io.meterbase.analytics.forecast.DirectRegressionForecaster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WalkForwardTest {

    private static final LocalDate START = LocalDate.of(2020, 1, 5); // a Sunday

    /** A household-like daily series: winter high, weekends higher, noise. */
    private static DailySeries synthetic(int days, long seed) {
        Random r = new Random(seed);
        double[] v = new double[days];
        for (int i = 0; i < days; i++) {
            LocalDate d = START.plusDays(i);
            double season = 1500 + 600 * Math.cos(2 * Math.PI * d.getDayOfYear() / 365.25);
            double weekend = d.getDayOfWeek() == DayOfWeek.SATURDAY || d.getDayOfWeek() == DayOfWeek.SUNDAY ? 400 : 0;
            v[i] = season + weekend + r.nextGaussian() * 150;
        }
        return new DailySeries(START, v);
    }

    @Test
    void baselinesForecastWhatTheyName() {
        double[] h = new double[400];
        for (int i = 0; i < h.length; i++) {
            h[i] = i;
        }
        assertThat(Baselines.dailyPersistence().forecast(h, START)).containsOnly(399);
        assertThat(Baselines.weeklyPersistence().forecast(h, START)).containsExactly(393, 394, 395, 396, 397, 398, 399);
        assertThat(Baselines.weekOneYearAgo().forecast(h, START)).containsExactly(36, 37, 38, 39, 40, 41, 42);
    }

    @Test
    void theScoreIsTheRmseOverAllForecastDays() {
        DailySeries s = synthetic(800, 1);
        // a forecaster that is always 10 too high scores exactly 10
        WalkForward.Score score = WalkForward.evaluate(
                new io.meterbase.analytics.forecast.WeekForecaster() {
                    @Override
                    public String name() {
                        return "truth + 10";
                    }

                    @Override
                    public double[] forecast(double[] history, LocalDate nextDay) {
                        double[] out = new double[7];
                        int start = s.indexOf(nextDay);
                        for (int d = 0; d < 7; d++) {
                            out[d] = s.values()[start + d] + 10;
                        }
                        return out;
                    }
                },
                s,
                START,
                START.plusWeeks(100),
                10);
        assertThat(score.rmse()).isCloseTo(10, within(1e-9));
        assertThat(score.mae()).isCloseTo(10, within(1e-9));
    }

    @Test
    void theRegressionBeatsTheNaiveForecastsOnSeasonalData() {
        DailySeries s = synthetic(3 * 365, 7);
        LocalDate test = START.plusWeeks(130);

        double model = WalkForward.evaluate(new DirectRegressionForecaster(0.1, 0.5), s, START, test, 8)
                .rmse();
        double weekly = WalkForward.evaluate(Baselines.weeklyPersistence(), s, START, test, 8)
                .rmse();

        assertThat(model).isLessThan(weekly * 0.8);
    }

    @Test
    void dailyTotalsAreSummedFromHourlyRows(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("h.csv");
        Files.writeString(csv, """
                datetime,Global_active_power,Voltage
                2007-01-01 22:00:00,1.5,230
                2007-01-01 23:00:00,2.5,230
                2007-01-02 00:00:00,4.0,230
                """);
        DailySeries s = DailySeries.fromHourlySums(csv, "Global_active_power");
        assertThat(s.first()).isEqualTo(LocalDate.of(2007, 1, 1));
        assertThat(s.values()).containsExactly(4.0, 4.0);
    }
}
