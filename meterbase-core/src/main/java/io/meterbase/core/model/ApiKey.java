package io.meterbase.core.model;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A stored API key: only the SHA-256 hash of the secret is kept, with its first characters for recognition.
 * {@code customerId} is 0 for an operator key. {@code scope} says what it may do; {@code target} is the device or
 * gateway a {@link KeyScope#DEVICE} or {@link KeyScope#GATEWAY} key is for (null otherwise). {@code revokedAt} is
 * null while the key is valid; {@code expiresAt}, when set, is when it stops working by itself (the old key of a
 * rotation).
 */
public record ApiKey(
        long id,
        long customerId,
        Role role,
        String label,
        String prefix,
        String hash,
        Instant createdAt,
        @Nullable Instant revokedAt,
        KeyScope scope,
        @Nullable String target,
        @Nullable Instant expiresAt) {

    public ApiKey {
        Checks.positive(id, "id");
        Checks.notNull(role, "role");
        Checks.notBlank(hash, "hash");
        Checks.notNull(createdAt, "createdAt");
        Checks.notNull(scope, "scope");
        if (role == Role.CUSTOMER && customerId <= 0) {
            throw new IllegalArgumentException("customerId: a customer key needs its customer");
        }
        if (scope.role() != role) {
            throw new IllegalArgumentException("scope: " + scope.key() + " is not a scope of " + role + " keys");
        }
        if (scope.uploadsOnly() == (target == null || target.isBlank())) {
            throw new IllegalArgumentException(
                    scope.uploadsOnly()
                            ? "target: a " + scope.key() + " key names its " + scope.key()
                            : "target: only device and gateway keys name one");
        }
    }

    /** A key of the scope that keys had before scopes (a customer's full key, an operator's admin key). */
    public ApiKey(
            long id,
            long customerId,
            Role role,
            String label,
            String prefix,
            String hash,
            Instant createdAt,
            @Nullable Instant revokedAt) {
        this(id, customerId, role, label, prefix, hash, createdAt, revokedAt, KeyScope.of(role), null, null);
    }

    public boolean revoked() {
        return revokedAt != null;
    }

    /** Whether the key stopped working by itself (its expiry passed) at {@code now}. */
    public boolean expired(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }

    public ApiKey revoke(Instant at) {
        return revoked()
                ? this
                : new ApiKey(id, customerId, role, label, prefix, hash, createdAt, at, scope, target, expiresAt);
    }

    /** The key, working until {@code at} only. */
    public ApiKey expiringAt(Instant at) {
        return new ApiKey(id, customerId, role, label, prefix, hash, createdAt, revokedAt, scope, target, at);
    }
}
