package io.meterbase.core.api.command;

import io.meterbase.core.device.OutboundCommand;
import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A command to one device, with its lifecycle timestamps. {@code notBefore} holds a command back (staggered
 * demand response); {@code via} names the channel it went out on; signed commands carry {@code nonce} and
 * {@code signature}.
 */
public record Command(
        String id,
        long customerId,
        String deviceRef,
        @Nullable String gatewayRef,
        CommandType type,
        Map<String, Object> params,
        String origin,
        CommandStatus status,
        Instant createdAt,
        Instant notBefore,
        Instant expiresAt,
        @Nullable Instant sentAt,
        @Nullable Instant acknowledgedAt,
        @Nullable Instant finishedAt,
        @Nullable String via,
        @Nullable String detail,
        @Nullable String nonce,
        @Nullable String signature) {

    public Command {
        params = params == null ? Map.of() : Map.copyOf(params);
    }

    public Command sent(Instant at, String channel) {
        return new Command(
                id,
                customerId,
                deviceRef,
                gatewayRef,
                type,
                params,
                origin,
                CommandStatus.SENT,
                createdAt,
                notBefore,
                expiresAt,
                at,
                acknowledgedAt,
                finishedAt,
                channel,
                detail,
                nonce,
                signature);
    }

    public Command moved(CommandStatus to, Instant at, @Nullable String why) {
        Instant acknowledged = acknowledgedAt == null && (to == CommandStatus.ACKNOWLEDGED || to == CommandStatus.DONE)
                ? at
                : acknowledgedAt;
        return new Command(
                id,
                customerId,
                deviceRef,
                gatewayRef,
                type,
                params,
                origin,
                to,
                createdAt,
                notBefore,
                expiresAt,
                sentAt,
                acknowledged,
                to.finished() ? at : finishedAt,
                via,
                why == null ? detail : why,
                nonce,
                signature);
    }

    /** The command as a channel that pushes it to a device takes it. */
    public OutboundCommand outbound() {
        return new OutboundCommand(id, customerId, deviceRef, gatewayRef, type.key(), type.signed(), params, wire());
    }

    /** The command as a device or gateway receives it. */
    public Map<String, Object> wire() {
        var m = new java.util.LinkedHashMap<String, Object>();
        m.put("id", id);
        m.put("node", deviceRef);
        m.put("type", type.key());
        Boolean relay = type.relayAfter();
        if (relay != null) {
            m.put("relay", relay ? "on" : "off");
        } else if (type == CommandType.RELAY_TOGGLE) {
            m.put("relay", "toggle");
        }
        if (!params.isEmpty()) {
            m.put("params", params);
        }
        m.put("issued_at", createdAt.toEpochMilli());
        m.put("expires_at", expiresAt.toEpochMilli());
        if (signature != null) {
            m.put("nonce", nonce);
            m.put("signature", signature);
        }
        return m;
    }
}
