package io.meterbase.core.model;

/** Who holds a credential. */
public enum Role {
    CUSTOMER,
    OPERATOR
}
