package io.meterbase.core.device;

/**
 * A transport that pushes commands to connected devices (MQTT). Gateways that poll over HTTP or CoAP take theirs in
 * the answer to their next upload instead, through {@link CommandOutbox#collect}.
 */
public interface CommandPush {

    /** The channel's name, recorded as the command's {@code via}. */
    String name();

    /**
     * Sends the command if the device (or its gateway) is connected and listening now; returns false to keep it
     * queued.
     *
     * @throws UnsupportedCommandException when the device is reached but cannot carry the command out
     */
    boolean offer(OutboundCommand command);

    /**
     * Whether {@link #offer} would find the device (or its gateway) now: asked, without side effects, before a node
     * claims a command's delivery for itself (several nodes may offer the same command).
     */
    default boolean reaches(OutboundCommand command) {
        return true;
    }
}
