package io.meterbase.core.model;

import java.util.Locale;

/**
 * What a key may do. Customer keys: {@link #CUSTOMER} reads and manages everything of the customer and uploads for
 * any of its devices; {@link #READ_ONLY} reads only; {@link #DEVICE} uploads and receives commands for one device
 * only; {@link #GATEWAY} uploads for one gateway and the devices registered behind it only. Operator keys:
 * {@link #ADMIN} may do everything, {@link #OPERATOR} everything but issuing operator keys and operator accounts,
 * {@link #SUPPORT} reads only. docs/security.md has the matrix.
 */
public enum KeyScope {
    CUSTOMER(Role.CUSTOMER),
    READ_ONLY(Role.CUSTOMER),
    DEVICE(Role.CUSTOMER),
    GATEWAY(Role.CUSTOMER),
    ADMIN(Role.OPERATOR),
    OPERATOR(Role.OPERATOR),
    SUPPORT(Role.OPERATOR);

    private final Role role;

    KeyScope(Role role) {
        this.role = role;
    }

    /** Whether keys of this scope belong to a customer or to an operator. */
    public Role role() {
        return role;
    }

    /** The scope of keys made before keys had scopes: a customer's full key, or an operator's. */
    public static KeyScope of(Role role) {
        return role == Role.OPERATOR ? ADMIN : CUSTOMER;
    }

    /** Whether keys of this scope only read. */
    public boolean readOnly() {
        return this == READ_ONLY || this == SUPPORT;
    }

    /** Whether keys of this scope only upload (and take commands) for the one device or gateway they name. */
    public boolean uploadsOnly() {
        return this == DEVICE || this == GATEWAY;
    }

    /** The scope's name in the API: {@code customer}, {@code read_only}, {@code device}... */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a scope's name ({@code read_only}, {@code READ-ONLY}).
     *
     * @throws IllegalArgumentException naming the scopes when there is none of that name
     */
    public static KeyScope parse(String text) {
        String name = text == null ? "" : text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (KeyScope s : values()) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("scope: one of customer, read_only, device, gateway, admin, operator,"
                + " support; was '" + text + "'");
    }
}
