package io.meterbase.core.device;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A command on its way to a device, as a channel that pushes it needs it: who it is for (the device, and the
 * gateway it sits behind, may be null), what to do ({@code type}, e.g. {@code relay_on}, with its parameters), and
 * its wire form (the JSON object native devices and gateways take).
 */
public record OutboundCommand(
        String id,
        long customerId,
        String deviceRef,
        @Nullable String gatewayRef,
        String type,
        boolean signed,
        Map<String, Object> params,
        Map<String, Object> wire) {

    public OutboundCommand {
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }
}
