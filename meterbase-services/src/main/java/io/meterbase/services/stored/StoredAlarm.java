package io.meterbase.services.stored;

import io.meterbase.core.api.alarm.Alarm;
import io.meterbase.core.api.alarm.Severity;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/** An alarm as stored, with its whole life: raised, seen again, acknowledged, cleared. */
public record StoredAlarm(
        String id,
        String ruleId,
        long customerId,
        String deviceRef,
        String type,
        Severity severity,
        Alarm.State state,
        String message,
        @Nullable Double value,
        Instant raisedAt,
        Instant lastSeenAt,
        int occurrences,
        @Nullable Instant acknowledgedAt,
        @Nullable String acknowledgedBy,
        @Nullable Instant clearedAt) {

    public static StoredAlarm of(Alarm a) {
        return new StoredAlarm(
                a.id(),
                a.ruleId(),
                a.customerId(),
                a.deviceRef(),
                a.type(),
                a.severity(),
                a.state(),
                a.message(),
                a.value(),
                a.raisedAt(),
                a.lastSeenAt(),
                a.occurrences(),
                a.acknowledgedAt(),
                a.acknowledgedBy(),
                a.clearedAt());
    }

    public Alarm toApi() {
        return new Alarm(
                id,
                ruleId,
                customerId,
                deviceRef,
                type,
                severity,
                state,
                message,
                value,
                raisedAt,
                lastSeenAt,
                occurrences,
                acknowledgedAt,
                acknowledgedBy,
                clearedAt);
    }
}
