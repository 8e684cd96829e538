package io.meterbase.core.ingest;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What a device or gateway says in one message, as its format's decoder reads it: readings ({@link Upload}), that
 * it connected or went away, events it raises or clears, its relay's state, its answer to a command, or something
 * Meterbase takes without acting on it. The intake stores readings and hands the rest to {@link DeviceReports}.
 */
public sealed interface DeviceMessage
        permits Upload,
                DeviceMessage.Connection,
                DeviceMessage.Events,
                DeviceMessage.RelayState,
                DeviceMessage.CommandReport,
                DeviceMessage.Ignored {

    /** The device is connected ({@code online}) or went away, e.g. Tasmota's last will. */
    record Connection(String deviceRef, boolean online) implements DeviceMessage {}

    /** One event of a device: raised ({@code on}) or cleared, with what the device said of it (may be null). */
    record Event(String type, boolean on, @Nullable String detail) {}

    /** Events a device raised or cleared in one message. */
    record Events(String deviceRef, List<Event> events) implements DeviceMessage {
        public Events {
            events = List.copyOf(events);
        }
    }

    /** The state a device's relay reports, after a command or by itself; {@code source} says where it came from. */
    record RelayState(String deviceRef, boolean on, String source) implements DeviceMessage {}

    /**
     * A device's answer to the command {@code commandId}: how it went, what it said (may be null), and the relay
     * state it reports ({@link Relay#UNSAID} when it reports none).
     */
    record CommandReport(
            String commandId,
            CommandOutcome outcome,
            @Nullable String detail,
            Relay relay) implements DeviceMessage {}

    /** A message Meterbase takes without acting on it (telemetry it does not store, status it does not need). */
    record Ignored(String what) implements DeviceMessage {}

    /** How a device ended a command. */
    enum CommandOutcome {
        ACKNOWLEDGED,
        DONE,
        FAILED
    }

    /** The relay state a command report carries. */
    enum Relay {
        ON,
        OFF,
        UNSAID
    }
}
