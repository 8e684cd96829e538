package io.meterbase.analytics.service;

import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The forecast of one meter or one community's total for the 24 hours after the last complete hour, in the
 * commodity's unit per hour ({@code unit}); {@code low}/{@code high} bound an interval meant to hold the actual value
 * {@code coverage} of the time (absent while the meter has fewer than 7 days of past forecasts to judge by).
 * {@code degreeDays}: for gas and heat forecast from the outdoor temperature, the heating degree-days assumed for the
 * next 24 hours (null otherwise).
 */
public record MeterForecast(
        String key,
        @Nullable Long customer,
        @Nullable String device,
        @Nullable String community,
        String commodity,
        String unit,
        Instant generatedAt,
        Instant basedOnDataUntil,
        double levelPerHour,
        @Nullable Double coverage,
        Point nextHour,
        List<Point> hours,
        @Nullable Double degreeDays) {

    /** One forecast hour. */
    public record Point(
            Instant start,
            double value,
            @Nullable Double low,
            @Nullable Double high) {}

    /** The total of a list of hours (e.g. the next 24), and of its interval bounds when all have them. */
    public static double total(List<Point> points) {
        double s = 0;
        for (Point p : points) {
            s += p.value();
        }
        return s;
    }
}
