package io.meterbase.core.api.alarm;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Alarms and the rules that raise them. A {@code customerId} or {@code owner} of null means every customer's (an
 * operator's view, or a rule for everyone).
 */
public interface AlarmsApi {

    AlarmRule addRule(AlarmRule rule, @Nullable Long owner);

    /** Removes a rule of the owner (any rule for null); false when there is none. */
    boolean removeRule(String id, @Nullable Long owner);

    List<AlarmRule> rules(@Nullable Long customerId);

    /** Alarms, newest first, of one state or (null) all. */
    List<Alarm> alarms(@Nullable Long customerId, Alarm.@Nullable State state, int limit);

    /**
     * As {@link #alarms(Long, Alarm.State, int)}, of at least a severity (null: any) and of types that start with a
     * prefix (null or empty: any).
     */
    List<Alarm> alarms(
            @Nullable Long customerId,
            Alarm.@Nullable State state,
            @Nullable Severity minSeverity,
            @Nullable String typePrefix,
            int limit);

    Optional<Alarm> alarm(String id);

    Optional<Alarm> acknowledge(String id, String by);

    Optional<Alarm> clear(String id);

    /**
     * A device reported an event: {@code tamper_case_open}, {@code magnetic_field}, {@code tilt},
     * {@code power_low} … raise an alarm of that type; a type ending in {@code _cleared} (or {@code on=false})
     * clears it. Returns the alarm raised or cleared, if any.
     */
    Optional<Alarm> event(
            long customerId, String deviceRef, String type, boolean on, Instant at, @Nullable String detail);
}
