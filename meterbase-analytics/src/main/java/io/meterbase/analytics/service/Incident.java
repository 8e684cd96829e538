package io.meterbase.analytics.service;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Something found in a meter's consumption: a water leak or pipe burst, a fraud indicator (no use where use is
 * expected, a sustained drop below the forecast, a register going backwards) or a vacant home. It is open while the
 * condition lasts and closed when it ends; {@code confidence} is in [0, 1]; {@code evidence} is the data window that
 * shows it.
 */
public record Incident(
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

    public static final String OPEN = "open";
    public static final String CLOSED = "closed";

    /**
     * The window that shows the incident: hourly values from {@code from} (or the register readings for a register
     * going backwards), and the figures the decision was made on (expected, actual, ratio …).
     */
    public record Evidence(Instant from, Instant to, String unit, List<Double> hourly, Map<String, Object> figures) {}

    public boolean open() {
        return OPEN.equals(state);
    }

    Incident seenAgain(Instant at, double newConfidence, String newSummary, Evidence newEvidence) {
        return new Incident(
                id,
                type,
                customer,
                device,
                newConfidence,
                severity,
                state,
                detectedAt,
                at,
                closedAt,
                newSummary,
                newEvidence);
    }

    Incident closed(Instant at) {
        return new Incident(
                id,
                type,
                customer,
                device,
                confidence,
                severity,
                CLOSED,
                detectedAt,
                lastSeenAt,
                at,
                summary,
                evidence);
    }
}
