package io.meterbase.analytics.forecast;

import java.time.LocalDate;
import java.util.Arrays;

/** The naive forecasts every model must beat. */
public final class Baselines {

    private Baselines() {}

    /** Every day of the next week as the last day. */
    public static WeekForecaster dailyPersistence() {
        return new Named("daily persistence", (h, d) -> {
            double[] out = new double[7];
            Arrays.fill(out, h[h.length - 1]);
            return out;
        });
    }

    /** The next week as the last week. */
    public static WeekForecaster weeklyPersistence() {
        return new Named("weekly persistence", (h, d) -> Arrays.copyOfRange(h, h.length - 7, h.length));
    }

    /** The next week as the same week a year (52 weeks) ago. */
    public static WeekForecaster weekOneYearAgo() {
        return new Named("same week last year", (h, d) -> Arrays.copyOfRange(h, h.length - 364, h.length - 357));
    }

    private interface Fn {
        double[] apply(double[] history, LocalDate nextDay);
    }

    private record Named(String name, Fn fn) implements WeekForecaster {
        @Override
        public double[] forecast(double[] history, LocalDate nextDay) {
            return fn.apply(history, nextDay);
        }
    }
}
