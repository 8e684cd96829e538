package io.meterbase.core.ingest;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * Where the intake hands what devices say besides readings: the services that track presence, raise alarms and
 * follow commands implement it, and the application wires them. Implementations are thread-safe and quick.
 */
public interface DeviceReports {

    /** A device connected or went away. */
    void connection(long customerId, String deviceRef, boolean online, Instant at);

    /** A device raised ({@code on}) or cleared an event; {@code detail} may be null. */
    void event(long customerId, String deviceRef, String type, boolean on, Instant at, @Nullable String detail);

    /** A device's relay is in the state it reports. */
    void relayState(long customerId, String deviceRef, boolean on, String source);

    /**
     * A device answered a command.
     *
     * @return whether the command is known for the customer
     */
    boolean commandReport(long customerId, DeviceMessage.CommandReport report);

    /** Reports that go nowhere: tools and tests that only ingest readings. */
    DeviceReports IGNORED = new DeviceReports() {
        @Override
        public void connection(long customerId, String deviceRef, boolean online, Instant at) {}

        @Override
        public void event(
                long customerId, String deviceRef, String type, boolean on, Instant at, @Nullable String detail) {}

        @Override
        public void relayState(long customerId, String deviceRef, boolean on, String source) {}

        @Override
        public boolean commandReport(long customerId, DeviceMessage.CommandReport report) {
            return false;
        }
    };

    /** The device a command of the customer is for; null when there is no such command. */
    default @Nullable String commandDevice(long customerId, String commandId) {
        return null;
    }

    /** Whether a device of the customer is registered behind the gateway. */
    default boolean behindGateway(long customerId, String deviceRef, String gatewayRef) {
        return false;
    }
}
