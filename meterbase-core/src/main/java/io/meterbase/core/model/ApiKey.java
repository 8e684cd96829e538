package io.meterbase.core.model;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A stored API key: only the SHA-256 hash of the secret is kept, with its first characters for recognition.
 * {@code customerId} is 0 for an operator key. {@code revokedAt} is null while the key is valid.
 */
public record ApiKey(
        long id,
        long customerId,
        Role role,
        String label,
        String prefix,
        String hash,
        Instant createdAt,
        @Nullable Instant revokedAt) {

    public ApiKey {
        Checks.positive(id, "id");
        Checks.notNull(role, "role");
        Checks.notBlank(hash, "hash");
        Checks.notNull(createdAt, "createdAt");
        if (role == Role.CUSTOMER && customerId <= 0) {
            throw new IllegalArgumentException("customerId: a customer key needs its customer");
        }
    }

    public boolean revoked() {
        return revokedAt != null;
    }

    public ApiKey revoke(Instant at) {
        return revoked() ? this : new ApiKey(id, customerId, role, label, prefix, hash, createdAt, at);
    }
}
