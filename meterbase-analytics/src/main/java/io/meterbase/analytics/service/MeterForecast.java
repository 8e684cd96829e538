package io.meterbase.analytics.service;

import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The forecast of one meter or one community's total for the 24 hours after the last complete hour, in the
 * commodity's unit per hour ({@code unit}); {@code low}/{@code high} bound an interval meant to hold the actual value
 * {@code coverage} of the time (absent while the meter has fewer than 7 days of past forecasts to judge by).
 */
public record MeterForecast(
        String key,
        @Nullable Long customer,
        @Nullable String device,
        @Nullable String community,
        String unit,
        Instant generatedAt,
        Instant basedOnDataUntil,
        double levelPerHour,
        @Nullable Double coverage,
        Point nextHour,
        List<Point> hours) {

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
