package io.meterbase.analytics.eval;

import io.meterbase.analytics.forecast.FleetForecaster;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Walk-forward evaluation of the fleet models the server uses, over calendar days shared by all series: every
 * {@code retrainDays} days the models are retrained on what all meters had measured before that day (never later
 * data of another meter); every midnight the next 24 hours are forecast with an 80 % interval, and every hour the
 * next hour. The seasonal-naive baselines are scored on the same hours.
 */
public final class FleetEvaluation {

    /** Errors as {@link HourlyEvaluation.Result}, and how often the actual value fell in the 80 % interval. */
    public static final class Result {
        public final HourlyEvaluation.Result errors = new HourlyEvaluation.Result();
        /** The same errors meter by meter, by series name. */
        public final java.util.Map<String, HourlyEvaluation.Result> perMeter = new java.util.LinkedHashMap<>();

        public long inside;
        public long intervals;
        public int trainRows;

        public double coverage() {
            return intervals == 0 ? Double.NaN : (double) inside / intervals;
        }
    }

    private FleetEvaluation() {}

    public static Result evaluate(
            List<HourlySeries> series,
            LocalDate testStart,
            int testDays,
            int retrainDays,
            int trainDays,
            FleetForecaster m) {
        Result r = new Result();
        for (int d = 0; d < testDays; d++) {
            LocalDate day = testStart.plusDays(d);
            if (d % retrainDays == 0) {
                List<FleetForecaster.Series> known = new ArrayList<>();
                for (HourlySeries s : series) {
                    int end = dayIndex(s, day) * 24;
                    if (end > FleetForecaster.NEEDED + 24) {
                        known.add(new FleetForecaster.Series(java.util.Arrays.copyOf(s.values(), end), s.first()));
                    }
                }
                r.trainRows = m.train(known, trainDays, 7);
            }
            for (HourlySeries s : series) {
                int dayStart = dayIndex(s, day) * 24;
                double[] y = s.values();
                if (dayStart < FleetForecaster.NEEDED || dayStart + 24 > y.length) {
                    continue;
                }
                // only what was known at the origin is handed to the forecaster
                FleetForecaster.Series known =
                        new FleetForecaster.Series(java.util.Arrays.copyOf(y, dayStart), s.first());
                FleetForecaster.Forecast f = m.forecast(known, dayStart - 1, 28, 0.8);
                if (f == null) {
                    continue;
                }
                HourlyEvaluation.Result meter =
                        r.perMeter.computeIfAbsent(s.name(), k -> new HourlyEvaluation.Result());
                for (int h = 0; h < 24; h++) {
                    int t = dayStart + h;
                    meter.dayModel.add(f.value()[h], y[t]);
                    double[] low = f.low();
                    double[] high = f.high();
                    if (low != null && high != null) {
                        r.intervals++;
                        r.inside += y[t] >= low[h] && y[t] <= high[h] ? 1 : 0;
                    }
                    // a forecast from origin t - 1 reads nothing after index t - 1 (see FleetForecaster.features)
                    FleetForecaster.Forecast next = Objects.requireNonNull(
                            m.forecast(new FleetForecaster.Series(y, s.first()), t - 1),
                            "a day with a forecast has one for each of its hours");
                    meter.hourModel.add(next.value()[0], y[t]);
                    meter.naive(y, dayStart, t);
                }
            }
        }
        r.perMeter.values().forEach(r.errors::addAll);
        return r;
    }

    private static int dayIndex(HourlySeries s, LocalDate day) {
        return (int) ChronoUnit.DAYS.between(s.first().toLocalDate(), day);
    }
}
