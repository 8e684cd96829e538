package io.meterbase.analytics.forecast;

import java.time.DayOfWeek;
import java.time.LocalDate;

/**
 * The features of a daily value {@code h} days after the last known day {@code t}: the last two weeks, the same
 * weekday in the four previous weeks, the same day and week a year before, recent means, the target's day of the
 * week and its place in the year. Everything is known at {@code t}.
 */
final class DailyFeatures {

    /** How much history a row needs. */
    static final int NEEDED = 371;

    static final String[] NAMES = names();

    private DailyFeatures() {}

    private static String[] names() {
        java.util.List<String> n = new java.util.ArrayList<>();
        for (int i = 0; i < 14; i++) {
            n.add("lag" + i);
        }
        for (int w = 1; w <= 4; w++) {
            n.add("weekday_w" + w);
        }
        n.add("year_day");
        n.add("year_week");
        n.add("mean7");
        n.add("mean28");
        n.add("year_next_week");
        for (DayOfWeek d : DayOfWeek.values()) {
            n.add("dow_" + d);
        }
        n.add("season_sin");
        n.add("season_cos");
        n.add("season2_sin");
        n.add("season2_cos");
        return n.toArray(String[]::new);
    }

    /** The features for the value at {@code t + h}, {@code y[t]} being the last known value. */
    static double[] of(double[] y, int t, int h, LocalDate targetDate) {
        double[] f = new double[NAMES.length];
        int k = 0;
        for (int i = 0; i < 14; i++) {
            f[k++] = y[t - i];
        }
        for (int w = 1; w <= 4; w++) {
            f[k++] = y[t + h - 7 * w];
        }
        int target = t + h;
        f[k++] = y[target - 364];
        f[k++] = mean(y, target - 367, target - 360);
        f[k++] = mean(y, t - 6, t + 1);
        f[k++] = mean(y, t - 27, t + 1);
        f[k++] = mean(y, target - 364, Math.min(target - 357, t + 1));
        for (DayOfWeek d : DayOfWeek.values()) {
            f[k++] = targetDate.getDayOfWeek() == d ? 1 : 0;
        }
        double angle = 2 * Math.PI * targetDate.getDayOfYear() / 365.25;
        f[k++] = Math.sin(angle);
        f[k++] = Math.cos(angle);
        f[k++] = Math.sin(2 * angle);
        f[k++] = Math.cos(2 * angle);
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
