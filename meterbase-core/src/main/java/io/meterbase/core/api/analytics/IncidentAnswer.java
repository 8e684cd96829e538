package io.meterbase.core.api.analytics;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Something found in a meter's consumption (a leak, a burst, a fraud indicator, a vacant home), open while it lasts;
 * {@code confidence} is in [0, 1]; {@code evidence} is the data window that shows it.
 */
public record IncidentAnswer(
        String id,
        String type,
        long customer,
        String device,
        double confidence,
        String severity,
        String state,
        Instant detectedAt,
        Instant lastSeenAt,
        @Nullable Instant closedAt,
        String summary,
        Evidence evidence) {

    /** The window that shows the incident and the figures it was decided on. */
    public record Evidence(Instant from, Instant to, String unit, List<Double> hourly, Map<String, Object> figures) {}
}
