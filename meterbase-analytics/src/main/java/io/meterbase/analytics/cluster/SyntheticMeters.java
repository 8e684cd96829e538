package io.meterbase.analytics.cluster;

import java.time.DayOfWeek;
import java.time.LocalDateTime;
import java.time.Month;
import java.util.Random;

/**
 * Hourly series of made-up meters of known kinds, for tests and the clustering benchmark: evening-peak households,
 * daytime businesses, always-on loads, and households vacant in summer.
 */
public final class SyntheticMeters {

    /** The kinds. */
    public enum Kind {
        EVENING_HOUSEHOLD,
        DAYTIME_BUSINESS,
        ALWAYS_ON,
        SUMMER_VACANT
    }

    private SyntheticMeters() {}

    public static double[] series(Kind kind, LocalDateTime first, int hours, Random r) {
        double scale = Math.exp(r.nextGaussian() * 0.3);
        double[] v = new double[hours];
        LocalDateTime t = first;
        for (int i = 0; i < hours; i++, t = t.plusHours(1)) {
            int h = t.getHour();
            boolean weekend = t.getDayOfWeek() == DayOfWeek.SATURDAY || t.getDayOfWeek() == DayOfWeek.SUNDAY;
            Month m = t.getMonth();
            double base =
                    switch (kind) {
                        case EVENING_HOUSEHOLD, SUMMER_VACANT ->
                            0.2 + (h >= 18 && h <= 22 ? 1.0 : 0) + (h >= 7 && h <= 8 ? 0.4 : 0);
                        case DAYTIME_BUSINESS -> 0.1 + (!weekend && h >= 8 && h <= 17 ? 2.0 : 0);
                        case ALWAYS_ON -> 1.0 + 0.1 * Math.sin(h / 24.0 * 2 * Math.PI);
                    };
            if (kind == Kind.SUMMER_VACANT && (m == Month.JULY || m == Month.AUGUST || m == Month.JUNE)) {
                base = 0.05;
            }
            v[i] = Math.max(0, scale * base * (1 + 0.25 * r.nextGaussian()));
        }
        return v;
    }
}
