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

    /** The errors of the model and the two seasonal-naive baselines, for the next hour and the next day. */
    public static final class Result {
        public final Errors hourModel = new Errors();
        public final Errors hourYesterday = new Errors();
        public final Errors hourLastWeek = new Errors();
        public final Errors dayModel = new Errors();
        public final Errors dayYesterday = new Errors();
        public final Errors dayLastWeek = new Errors();

        public void addAll(Result o) {
            hourModel.addAll(o.hourModel);
            hourYesterday.addAll(o.hourYesterday);
            hourLastWeek.addAll(o.hourLastWeek);
            dayModel.addAll(o.dayModel);
            dayYesterday.addAll(o.dayYesterday);
            dayLastWeek.addAll(o.dayLastWeek);
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
                r.dayYesterday.add(y[t - 24], y[t]);
                r.dayLastWeek.add(y[t - 168], y[t]);
                r.hourModel.add(m.nextHour(y, t - 1, s.first()), y[t]);
                r.hourYesterday.add(y[t - 24], y[t]);
                r.hourLastWeek.add(y[t - 168], y[t]);
            }
        }
        return r;
    }
}
