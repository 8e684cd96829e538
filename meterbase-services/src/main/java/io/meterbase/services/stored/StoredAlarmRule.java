package io.meterbase.services.stored;

import io.meterbase.core.api.alarm.AlarmRule;
import io.meterbase.core.api.alarm.Severity;
import org.jspecify.annotations.Nullable;

/** An alarm rule as stored. */
public record StoredAlarmRule(
        @Nullable String id,
        @Nullable Long customerId,
        String type,
        AlarmRule.Kind kind,
        @Nullable String quantity,
        AlarmRule.@Nullable Direction direction,
        @Nullable Double value,
        Integer forSeconds,
        @Nullable Integer intervalSeconds,
        @Nullable Integer missedIntervals,
        @Nullable String device,
        @Nullable String category,
        Severity severity) {

    public static StoredAlarmRule of(AlarmRule r) {
        return new StoredAlarmRule(
                r.id(),
                r.customerId(),
                r.type(),
                r.kind(),
                r.quantity(),
                r.direction(),
                r.value(),
                r.forSeconds(),
                r.intervalSeconds(),
                r.missedIntervals(),
                r.device(),
                r.category(),
                r.severity());
    }

    /** The rule; a stored document that no longer passes the rule's checks is an IllegalArgumentException. */
    public AlarmRule toApi() {
        return new AlarmRule(
                id,
                customerId,
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
