package io.meterbase.services.stored;

import io.meterbase.core.api.command.Command;
import io.meterbase.core.api.command.CommandStatus;
import io.meterbase.core.api.command.CommandType;
import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** A command as stored, with where it is in its life (queued, sent, acknowledged, finished). */
public record StoredCommand(
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

    public static StoredCommand of(Command c) {
        return new StoredCommand(
                c.id(),
                c.customerId(),
                c.deviceRef(),
                c.gatewayRef(),
                c.type(),
                c.params(),
                c.origin(),
                c.status(),
                c.createdAt(),
                c.notBefore(),
                c.expiresAt(),
                c.sentAt(),
                c.acknowledgedAt(),
                c.finishedAt(),
                c.via(),
                c.detail(),
                c.nonce(),
                c.signature());
    }

    public Command toApi() {
        return new Command(
                id,
                customerId,
                deviceRef,
                gatewayRef,
                type,
                params,
                origin,
                status,
                createdAt,
                notBefore,
                expiresAt,
                sentAt,
                acknowledgedAt,
                finishedAt,
                via,
                detail,
                nonce,
                signature);
    }
}
