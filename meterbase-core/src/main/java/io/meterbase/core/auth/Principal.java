package io.meterbase.core.auth;

import io.meterbase.core.model.Role;

/** The authenticated holder of a request: an operator, or a customer identified by id. */
public record Principal(Role role, long customerId, long keyId) {

    public boolean isOperator() {
        return role == Role.OPERATOR;
    }

    /** Whether this principal may see and change the data of {@code customer}. */
    public boolean canAccess(long customer) {
        return isOperator() || customerId == customer;
    }
}
