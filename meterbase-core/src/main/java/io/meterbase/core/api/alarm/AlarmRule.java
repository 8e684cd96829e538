package io.meterbase.core.api.alarm;

import java.time.Duration;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * When to raise an alarm. {@code threshold}: a quantity above (or below) {@code value} for at least
 * {@code forSeconds} (0: at once). {@code rate_of_change}: a quantity changing faster than {@code value} per
 * minute between two readings. {@code no_data}: a device silent for {@code missedIntervals} of its
 * {@code intervalSeconds}. A rule applies to one customer's devices ({@code customerId}) or, set by operators,
 * to every customer's (null); optionally only to one device or one category.
 */
public record AlarmRule(
        @Nullable String id,
        @Nullable Long customerId,
        String type,
        Kind kind,
        @Nullable String quantity,
        @Nullable Direction direction,
        @Nullable Double value,
        Integer forSeconds,
        @Nullable Integer intervalSeconds,
        @Nullable Integer missedIntervals,
        @Nullable String device,
        @Nullable String category,
        Severity severity) {

    /** The kinds of rule. */
    public enum Kind {
        THRESHOLD,
        RATE_OF_CHANGE,
        NO_DATA
    }

    /** Which side of the threshold is wrong. */
    public enum Direction {
        ABOVE,
        BELOW
    }

    public AlarmRule {
        if (type == null || !type.matches("[a-z0-9_]{1,48}")) {
            throw new IllegalArgumentException("type names the alarm in lower case, e.g. over_voltage or gas_leak");
        }
        if (kind == null) {
            throw new IllegalArgumentException("kind is threshold, rate_of_change or no_data");
        }
        severity = severity == null ? Severity.WARNING : severity;
        forSeconds = forSeconds == null ? 0 : forSeconds;
        switch (kind) {
            case THRESHOLD, RATE_OF_CHANGE -> {
                if (quantity == null || quantity.isBlank()) {
                    throw new IllegalArgumentException(kind.name().toLowerCase(Locale.ROOT) + " needs a quantity");
                }
                if (value == null || !Double.isFinite(value)) {
                    throw new IllegalArgumentException(kind.name().toLowerCase(Locale.ROOT) + " needs a value");
                }
                direction = direction == null ? Direction.ABOVE : direction;
                if (forSeconds < 0) {
                    throw new IllegalArgumentException("for_seconds must not be negative");
                }
            }
            case NO_DATA -> {
                if (intervalSeconds == null || intervalSeconds < 1) {
                    throw new IllegalArgumentException(
                            "no_data needs interval_seconds (the device's reporting interval)");
                }
                missedIntervals = missedIntervals == null ? 3 : missedIntervals;
                if (missedIntervals < 1) {
                    throw new IllegalArgumentException("missed_intervals must be at least 1");
                }
            }
        }
    }

    /** How long a device may stay silent under a no-data rule. */
    public Duration silence() {
        Integer interval = intervalSeconds;
        Integer missed = missedIntervals;
        if (interval == null || missed == null) {
            throw new IllegalStateException("a " + kind + " rule has no silence");
        }
        return Duration.ofSeconds((long) interval * missed);
    }

    public AlarmRule withId(String newId, @Nullable Long owner) {
        return new AlarmRule(
                newId,
                owner,
                type,
                kind,
                quantity,
                direction,
                value,
                forSeconds,
                intervalSeconds,
                missedIntervals,
                device,
                category,
                severity);
    }
}
