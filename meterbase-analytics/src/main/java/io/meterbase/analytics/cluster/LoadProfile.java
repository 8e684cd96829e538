package io.meterbase.analytics.cluster;

import java.time.DayOfWeek;
import java.time.LocalDateTime;
import java.time.Month;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The features a customer is clustered on, from hourly consumption (NaN where unknown): the average weekday and
 * weekend day by hour, each divided by the meter's overall mean (the shape of the day); the June–August and
 * December–February means divided by the overall mean (seasonality; 1 when the months are missing), weighted by
 * {@link #SEASON_WEIGHT}; and the log of the mean daily use (magnitude).
 */
public final class LoadProfile {

    public static final String[] NAMES = names();

    /**
     * Seasonality counts as much as several hours of the day's shape: without the weight, 48 shape features drown
     * two seasonal ones and homes vacant in summer fall in with the others.
     */
    public static final double SEASON_WEIGHT = 3.0;

    private LoadProfile() {}

    private static String[] names() {
        List<String> n = new ArrayList<>();
        for (int h = 0; h < 24; h++) {
            n.add(String.format("wd_%02d", h));
        }
        for (int h = 0; h < 24; h++) {
            n.add(String.format("we_%02d", h));
        }
        n.add("jun_aug");
        n.add("dec_feb");
        n.add("log_daily");
        return n.toArray(String[]::new);
    }

    /** The features, or null when the series has too little known data (less than 14 days). */
    public static double @Nullable [] of(double[] hourly, LocalDateTime first) {
        double[] sum = new double[48];
        int[] count = new int[48];
        double total = 0;
        int known = 0;
        double summer = 0;
        int summerN = 0;
        double winter = 0;
        int winterN = 0;
        LocalDateTime t = first;
        for (int i = 0; i < hourly.length; i++, t = t.plusHours(1)) {
            double v = hourly[i];
            if (Double.isNaN(v)) {
                continue;
            }
            boolean weekend = t.getDayOfWeek() == DayOfWeek.SATURDAY || t.getDayOfWeek() == DayOfWeek.SUNDAY;
            int slot = (weekend ? 24 : 0) + t.getHour();
            sum[slot] += v;
            count[slot]++;
            total += v;
            known++;
            Month m = t.getMonth();
            if (m == Month.JUNE || m == Month.JULY || m == Month.AUGUST) {
                summer += v;
                summerN++;
            } else if (m == Month.DECEMBER || m == Month.JANUARY || m == Month.FEBRUARY) {
                winter += v;
                winterN++;
            }
        }
        if (known < 14 * 24) {
            return null;
        }
        double mean = total / known;
        double[] f = new double[NAMES.length];
        for (int s = 0; s < 48; s++) {
            f[s] = count[s] == 0 || mean <= 0 ? 1 : sum[s] / count[s] / mean;
        }
        f[48] = SEASON_WEIGHT * (summerN < 14 * 24 || mean <= 0 ? 1 : summer / summerN / mean);
        f[49] = SEASON_WEIGHT * (winterN < 14 * 24 || mean <= 0 ? 1 : winter / winterN / mean);
        f[50] = Math.log1p(mean * 24);
        return f;
    }
}
