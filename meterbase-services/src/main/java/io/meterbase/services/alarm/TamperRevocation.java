package io.meterbase.services.alarm;

import io.meterbase.core.api.alarm.Alarm;
import io.meterbase.core.model.ApiKey;
import io.meterbase.core.model.KeyScope;
import io.meterbase.core.registry.Registry;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A rule against stolen credentials (seed 002: keys erased on tamper): when a device reports an event whose type
 * starts with one of {@code eventTypes} (by default {@code tamper}, e.g. {@code tamper_case_open}), the device keys
 * of that device are revoked at once, on every node. Its owner makes it a new key once the device is checked. Keys
 * of other scopes are left alone: they are not kept in the device.
 */
public final class TamperRevocation implements AlarmListener {

    private static final Logger LOG = LoggerFactory.getLogger(TamperRevocation.class);

    private final Registry registry;
    private final List<String> eventTypes;

    public TamperRevocation(Registry registry, List<String> eventTypes) {
        this.registry = registry;
        // normalized as event types are (lower case, other characters as _)
        this.eventTypes = eventTypes.stream()
                .map(t -> t.trim().toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "_"))
                .filter(t -> !t.isEmpty())
                .toList();
    }

    @Override
    public void changed(Alarm alarm) {
        // while the alarm is active (not once acknowledged: the owner's new key, made after checking, stays)
        if (alarm.state() != Alarm.State.ACTIVE
                || eventTypes.stream().noneMatch(alarm.type()::startsWith)
                || !alarm.ruleId().startsWith("event:")) {
            return;
        }
        for (ApiKey k : registry.keys(alarm.customerId())) {
            if (k.scope() == KeyScope.DEVICE && alarm.deviceRef().equals(k.target()) && !k.revoked()) {
                registry.revokeKey(k.id());
                LOG.warn(
                        "Key {} of device {} (customer {}) revoked: the device reported {}",
                        k.id(),
                        alarm.deviceRef(),
                        alarm.customerId(),
                        alarm.type());
            }
        }
    }
}
