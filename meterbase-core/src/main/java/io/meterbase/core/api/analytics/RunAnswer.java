package io.meterbase.core.api.analytics;

import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** What one complete run of the analytics did. */
public record RunAnswer(
        Instant at,
        long historyMillis,
        @Nullable Forecasts forecasts,
        @Nullable Incidents incidents,
        @Nullable Integer clusters,
        long millis) {

    /** The forecasts of the run. */
    public record Forecasts(
            int meters,
            int communities,
            boolean retrained,
            int trainingRows,
            long trainMillis,
            long saveMillis,
            long millis,
            @Nullable String note) {}

    /** The incidents of the run: open ones by type, raised and closed. */
    public record Incidents(Map<String, Integer> open, int raised, int closed, long millis) {}
}
