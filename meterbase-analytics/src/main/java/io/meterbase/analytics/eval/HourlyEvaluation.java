package io.meterbase.analytics.eval;

import io.meterbase.analytics.forecast.HourlyForecaster;

/**
 * Walk-forward evaluation of hourly forecasts over the last {@code testDays} days of a series: every midnight the
 * next 24 hours are forecast, and every hour the next hour; the model is retrained on what is known every
 * {@code retrainDays} days. Errors are summed so that several series can be pooled.
 */
public final class HourlyEvaluation {

    /** Absolute and squared error sums of one forecaster on one task. */
    public static final class Errors {
        double abs;
        double sq;
        long n;

        void add(double predicted, double actual) {
            double e = predicted - actual;
            abs += Math.abs(e);
            sq += e * e;
            n++;
        }

        public void addAll(Errors o) {
            abs += o.abs;
            sq += o.sq;
            n += o.n;
        }

        public double mae() {
            return abs / n;
        }

        public double rmse() {
            return Math.sqrt(sq / n);
        }

        public long count() {
            return n;
        }
    }

    /**
     * The errors of the model and of the three naive baselines, for the next hour and the next day: persistence
     * (the last known hour: for the next hour the hour before, for the next day the last hour before midnight,
     * for all 24), the same hour yesterday and the same hour last week.
     */
    public static final class Result {
        public final Errors hourModel = new Errors();
        public final Errors hourPersistence = new Errors();
        public final Errors hourYesterday = new Errors();
        public final Errors hourLastWeek = new Errors();
        public final Errors dayModel = new Errors();
        public final Errors dayPersistence = new Errors();
        public final Errors dayYesterday = new Errors();
        public final Errors dayLastWeek = new Errors();

        public void addAll(Result o) {
            hourModel.addAll(o.hourModel);
            hourPersistence.addAll(o.hourPersistence);
            hourYesterday.addAll(o.hourYesterday);
            hourLastWeek.addAll(o.hourLastWeek);
            dayModel.addAll(o.dayModel);
            dayPersistence.addAll(o.dayPersistence);
            dayYesterday.addAll(o.dayYesterday);
            dayLastWeek.addAll(o.dayLastWeek);
        }

        /** The naive baseline with the lowest MAE for the next hour. */
        public Errors bestNaiveHour() {
            return best(hourPersistence, hourYesterday, hourLastWeek);
        }

        /** The naive baseline with the lowest MAE for the next 24 hours. */
        public Errors bestNaiveDay() {
            return best(dayPersistence, dayYesterday, dayLastWeek);
        }

        /** Records, for the hour {@code t} of {@code y} forecast from origin {@code dayStart - 1}, each baseline. */
        void naive(double[] y, int dayStart, int t) {
            dayPersistence.add(y[dayStart - 1], y[t]);
            dayYesterday.add(y[t - 24], y[t]);
            dayLastWeek.add(y[t - 168], y[t]);
            hourPersistence.add(y[t - 1], y[t]);
            hourYesterday.add(y[t - 24], y[t]);
            hourLastWeek.add(y[t - 168], y[t]);
        }

        private static Errors best(Errors... candidates) {
            Errors best = candidates[0];
            for (Errors e : candidates) {
                if (e.mae() < best.mae()) {
                    best = e;
                }
            }
            return best;
        }
    }

    /**
     * How the model fares against the best naive baseline meter by meter: the median of its MAE reduction and the
     * share of meters on which it beats that meter's best naive baseline.
     */
    public record PerMeter(int meters, double medianReduction, double shareBeatingBestNaive) {

        /** Of the next-hour ({@code dayAhead} false) or next-24-hour forecasts of each meter's result. */
        public static PerMeter of(java.util.Collection<Result> results, boolean dayAhead) {
            double[] reductions = new double[results.size()];
            int n = 0;
            int beating = 0;
            for (Result r : results) {
                Errors model = dayAhead ? r.dayModel : r.hourModel;
                Errors naive = dayAhead ? r.bestNaiveDay() : r.bestNaiveHour();
                if (model.count() == 0 || !(naive.mae() > 0)) {
                    continue;
                }
                double reduction = 1 - model.mae() / naive.mae();
                reductions[n++] = reduction;
                beating += reduction > 0 ? 1 : 0;
            }
            if (n == 0) {
                return new PerMeter(0, Double.NaN, Double.NaN);
            }
            double[] sorted = java.util.Arrays.copyOf(reductions, n);
            java.util.Arrays.sort(sorted);
            double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
            return new PerMeter(n, median, (double) beating / n);
        }
    }

    private HourlyEvaluation() {}

    public static Result evaluate(HourlySeries s, int testStartDay, int testDays, int retrainDays, HourlyForecaster m) {
        double[] y = s.values();
        Result r = new Result();
        for (int d = 0; d < testDays; d++) {
            int dayStart = (testStartDay + d) * 24;
            if (d % retrainDays == 0) {
                m.train(y, dayStart, s.first());
            }
            double[] day = m.nextDay(y, dayStart, s.first());
            for (int h = 0; h < 24; h++) {
                int t = dayStart + h;
                r.dayModel.add(day[h], y[t]);
                r.hourModel.add(m.nextHour(y, t - 1, s.first()), y[t]);
                r.naive(y, dayStart, t);
            }
        }
        return r;
    }
}
