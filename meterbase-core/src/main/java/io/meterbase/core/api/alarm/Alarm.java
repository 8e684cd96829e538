package io.meterbase.core.api.alarm;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One alarm of one device: raised (active), acknowledged by someone, cleared when the condition ends (or by
 * hand). While it is not cleared, the same condition does not raise another one: it counts {@code occurrences}
 * and moves {@code lastSeenAt}.
 */
public record Alarm(
        String id,
        String ruleId,
        long customerId,
        String deviceRef,
        String type,
        Severity severity,
        State state,
        String message,
        @Nullable Double value,
        Instant raisedAt,
        Instant lastSeenAt,
        int occurrences,
        @Nullable Instant acknowledgedAt,
        @Nullable String acknowledgedBy,
        @Nullable Instant clearedAt) {

    /** Where an alarm is. */
    public enum State {
        ACTIVE,
        ACKNOWLEDGED,
        CLEARED
    }

    public Alarm seenAgain(Instant at, @Nullable Double newValue) {
        return new Alarm(
                id,
                ruleId,
                customerId,
                deviceRef,
                type,
                severity,
                state,
                message,
                newValue,
                raisedAt,
                at,
                occurrences + 1,
                acknowledgedAt,
                acknowledgedBy,
                clearedAt);
    }

    public Alarm acknowledged(Instant at, String by) {
        return new Alarm(
                id,
                ruleId,
                customerId,
                deviceRef,
                type,
                severity,
                State.ACKNOWLEDGED,
                message,
                value,
                raisedAt,
                lastSeenAt,
                occurrences,
                at,
                by,
                clearedAt);
    }

    public Alarm cleared(Instant at) {
        return new Alarm(
                id,
                ruleId,
                customerId,
                deviceRef,
                type,
                severity,
                State.CLEARED,
                message,
                value,
                raisedAt,
                lastSeenAt,
                occurrences,
                acknowledgedAt,
                acknowledgedBy,
                at);
    }
}
