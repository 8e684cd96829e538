package io.meterbase.core.api.command;

import org.jspecify.annotations.Nullable;

/** What a command asks of a device. */
public enum CommandType {
    RELAY_ON,
    RELAY_OFF,
    RELAY_TOGGLE,
    /** Send the readings of a period again: params {@code from}, {@code to} (ISO-8601). */
    REQUEST_READINGS,
    /** Report every {@code seconds} seconds. */
    SET_INTERVAL,
    /** Alarm threshold: params {@code quantity}, {@code value}. */
    SET_THRESHOLD,
    /** Remote connect of a meter's supply; signed. */
    CONNECT,
    /** Remote disconnect of a meter's supply; signed. */
    DISCONNECT;

    /** Whether the command is signed (ECDSA) and must be verified by the gateway. */
    public boolean signed() {
        return this == CONNECT || this == DISCONNECT;
    }

    /** The relay state the command leads to, or null when it does not switch (or toggles). */
    public @Nullable Boolean relayAfter() {
        return switch (this) {
            case RELAY_ON, CONNECT -> Boolean.TRUE;
            case RELAY_OFF, DISCONNECT -> Boolean.FALSE;
            default -> null;
        };
    }

    public String key() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
