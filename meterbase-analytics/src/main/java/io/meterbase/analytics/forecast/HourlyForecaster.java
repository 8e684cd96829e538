package io.meterbase.analytics.forecast;

import java.time.DayOfWeek;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Hourly forecasts of a meter: the next hour from any hour, and the 24 hours of the next day from midnight, each
 * by elastic-net models (Tribuo) on lag and calendar features, trained on up to the last {@code windowDays} days.
 * {@link #train} fits 25 models (one for the next hour, one per hour of the next day); forecasts then cost a dot
 * product each.
 */
public final class HourlyForecaster {

    /** Hours of history a feature row needs. */
    public static final int NEEDED = 29 * 24;

    private final double alpha;
    private final double l1Ratio;
    private final int windowDays;
    private final boolean logScale;
    private @Nullable LinearFit nextHour;
    private final @Nullable LinearFit[] nextDay = new LinearFit[24];

    /**
     * {@code logScale}: models fit {@code log(1 + kWh)} from features on the same scale, and forecasts are turned
     * back; household loads are skewed, so this aims nearer the median and lowers absolute errors.
     */
    public HourlyForecaster(double alpha, double l1Ratio, int windowDays, boolean logScale) {
        this.alpha = alpha;
        this.l1Ratio = l1Ratio;
        this.windowDays = windowDays;
        this.logScale = logScale;
    }

    private static LinearFit trained(@Nullable LinearFit fit) {
        if (fit == null) {
            throw new IllegalStateException("the forecaster is not trained yet");
        }
        return fit;
    }

    public boolean logScale() {
        return logScale;
    }

    private double @Nullable [] cacheRaw;
    private double @Nullable [] cacheScaled;

    /**
     * The series on the model's scale. Kept for the array last given: features and training rows only ever read
     * indices up to the forecast origin, so holding later values does not leak them.
     */
    private double[] scaled(double[] y) {
        if (!logScale) {
            return y;
        }
        double[] cached = cacheScaled;
        if (y != cacheRaw || cached == null) {
            cached = new double[y.length];
            for (int i = 0; i < y.length; i++) {
                cached[i] = Math.log1p(Math.max(0, y[i]));
            }
            cacheRaw = y;
            cacheScaled = cached;
        }
        return cached;
    }

    private double unscaled(double v) {
        return Math.max(0, logScale ? Math.expm1(v) : v);
    }

    /** Trains on {@code y[0..end)} ({@code first} being the time of {@code y[0]}, a midnight). */
    public void train(double[] raw, int end, LocalDateTime first) {
        double[] y = scaled(raw);
        int from = Math.max(NEEDED, end - windowDays * 24);
        List<double[]> xs = new ArrayList<>();
        List<Double> ts = new ArrayList<>();
        for (int t = from; t + 1 < end; t++) {
            xs.add(nextHourFeatures(y, t, first.plusHours(t + 1)));
            ts.add(y[t + 1]);
        }
        nextHour = LinearFit.fit(xs, ts, NEXT_HOUR_NAMES, alpha, l1Ratio);
        for (int h = 0; h < 24; h++) {
            xs.clear();
            ts.clear();
            for (int dayStart = ((from + 23) / 24) * 24; dayStart + h < end; dayStart += 24) {
                xs.add(nextDayFeatures(y, dayStart, h, first.plusHours(dayStart + h)));
                ts.add(y[dayStart + h]);
            }
            nextDay[h] = LinearFit.fit(xs, ts, NEXT_DAY_NAMES, alpha, l1Ratio);
        }
    }

    /** The value of hour {@code t + 1}, knowing {@code y[0..t]}. */
    public double nextHour(double[] raw, int t, LocalDateTime first) {
        double[] y = scaled(raw);
        LinearFit nextHour = trained(this.nextHour);
        return unscaled(nextHour.predict(nextHourFeatures(y, t, first.plusHours(t + 1))));
    }

    /** The 24 values of the day starting at {@code dayStart} (a midnight), knowing {@code y[0..dayStart)}. */
    public double[] nextDay(double[] raw, int dayStart, LocalDateTime first) {
        double[] y = scaled(raw);
        double[] out = new double[24];
        for (int h = 0; h < 24; h++) {
            out[h] = unscaled(
                    trained(nextDay[h]).predict(nextDayFeatures(y, dayStart, h, first.plusHours(dayStart + h))));
        }
        return out;
    }

    private static final String[] NEXT_HOUR_NAMES = names(true);
    private static final String[] NEXT_DAY_NAMES = names(false);

    private static String[] names(boolean hourly) {
        List<String> n = new ArrayList<>();
        int lags = hourly ? 24 : 7;
        for (int i = 0; i < lags; i++) {
            n.add("lag" + i);
        }
        n.add("same_hour_yesterday");
        n.add("same_hour_last_week");
        n.add("same_hour_same_weekday_4w");
        n.add("mean_last_day");
        n.add("mean_last_week");
        n.add("last_hour");
        if (hourly) {
            for (int h = 0; h < 24; h++) {
                n.add("hour_" + h);
            }
        }
        for (DayOfWeek d : DayOfWeek.values()) {
            n.add("dow_" + d);
        }
        n.add("season_sin");
        n.add("season_cos");
        return n.toArray(String[]::new);
    }

    /** Target t+1: the last 24 hours, the same hour a day and a week before, recent means, calendar. */
    private static double[] nextHourFeatures(double[] y, int t, LocalDateTime target) {
        double[] f = new double[NEXT_HOUR_NAMES.length];
        int k = 0;
        for (int i = 0; i < 24; i++) {
            f[k++] = y[t - i];
        }
        f[k++] = y[t + 1 - 24];
        f[k++] = y[t + 1 - 168];
        f[k++] = (y[t + 1 - 168] + y[t + 1 - 336] + y[t + 1 - 504] + y[t + 1 - 672]) / 4;
        f[k++] = mean(y, t - 23, t + 1);
        f[k++] = mean(y, t - 167, t + 1);
        f[k++] = y[t];
        f[k + target.getHour()] = 1;
        k += 24;
        return calendar(f, k, target);
    }

    /** Target hour h of the day starting at dayStart: that hour on the 7 previous days, recent means, calendar. */
    private static double[] nextDayFeatures(double[] y, int dayStart, int h, LocalDateTime target) {
        double[] f = new double[NEXT_DAY_NAMES.length];
        int k = 0;
        for (int d = 1; d <= 7; d++) {
            f[k++] = y[dayStart + h - 24 * d];
        }
        f[k++] = y[dayStart + h - 24];
        f[k++] = y[dayStart + h - 168];
        f[k++] = (y[dayStart + h - 168] + y[dayStart + h - 336] + y[dayStart + h - 504] + y[dayStart + h - 672]) / 4;
        f[k++] = mean(y, dayStart - 24, dayStart);
        f[k++] = mean(y, dayStart - 168, dayStart);
        f[k++] = y[dayStart - 1];
        return calendar(f, k, target);
    }

    private static double[] calendar(double[] f, int k, LocalDateTime target) {
        f[k + target.getDayOfWeek().ordinal()] = 1;
        k += 7;
        double angle = 2 * Math.PI * target.getDayOfYear() / 365.25;
        f[k++] = Math.sin(angle);
        f[k] = Math.cos(angle);
        return f;
    }

    private static double mean(double[] y, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) {
            s += y[i];
        }
        return s / (to - from);
    }
}
