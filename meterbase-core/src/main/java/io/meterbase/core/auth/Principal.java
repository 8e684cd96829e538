package io.meterbase.core.auth;

import io.meterbase.core.model.KeyScope;
import io.meterbase.core.model.Role;
import org.jspecify.annotations.Nullable;

/**
 * The authenticated holder of a request: an operator, or a customer identified by id; with what its credential may
 * do ({@code scope}) and, for a device or gateway key, the device or gateway it is for ({@code target}).
 */
public record Principal(
        Role role,
        long customerId,
        long keyId,
        KeyScope scope,
        @Nullable String target) {

    /** A principal with the full scope of its role (sign-in accounts, keys made before scopes). */
    public Principal(Role role, long customerId, long keyId) {
        this(role, customerId, keyId, KeyScope.of(role), null);
    }

    public boolean isOperator() {
        return role == Role.OPERATOR;
    }

    /** Whether this principal may see and change the data of {@code customer}. */
    public boolean canAccess(long customer) {
        return isOperator() || customerId == customer;
    }
}
