package io.meterbase.core.model;

/** Quality flag of a stored reading. */
public enum Quality {
    GOOD,
    /** Accepted but doubtful, e.g. flagged by the device itself. */
    SUSPECT,
    /** Filled in or derived rather than measured. */
    ESTIMATED;

    private static final Quality[] VALUES = values();

    public static Quality ofCode(int code) {
        if (code < 0 || code >= VALUES.length) {
            throw new IllegalArgumentException("code: no quality " + code);
        }
        return VALUES[code];
    }
}
