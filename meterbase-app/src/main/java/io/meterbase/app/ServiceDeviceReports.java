package io.meterbase.app;

import io.meterbase.core.api.command.CommandStatus;
import io.meterbase.core.ingest.DeviceMessage;
import io.meterbase.core.ingest.DeviceReports;
import io.meterbase.core.ingest.Presence;
import io.meterbase.services.alarm.AlarmService;
import io.meterbase.services.command.CommandService;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/** What devices report besides readings, handed by the intake to the services that act on it. */
final class ServiceDeviceReports implements DeviceReports {

    private final Presence presence;
    private final AlarmService alarms;
    private final CommandService commands;
    private final io.meterbase.core.registry.Registry registry;

    ServiceDeviceReports(
            Presence presence,
            AlarmService alarms,
            CommandService commands,
            io.meterbase.core.registry.Registry registry) {
        this.presence = presence;
        this.alarms = alarms;
        this.commands = commands;
        this.registry = registry;
    }

    @Override
    public @Nullable String commandDevice(long customerId, String commandId) {
        return commands.get(customerId, commandId)
                .map(io.meterbase.core.api.command.Command::deviceRef)
                .orElse(null);
    }

    @Override
    public boolean behindGateway(long customerId, String deviceRef, String gatewayRef) {
        long gateway = registry.gateway(customerId, gatewayRef).map(g -> g.id()).orElse(-1L);
        return registry.device(customerId, deviceRef)
                .map(d -> d.gatewayId() == gateway)
                .orElse(false);
    }

    @Override
    public void connection(long customerId, String deviceRef, boolean online, Instant at) {
        if (online) {
            presence.online(customerId, deviceRef, at);
        } else {
            presence.offline(customerId, deviceRef, at);
        }
    }

    @Override
    public void event(long customerId, String deviceRef, String type, boolean on, Instant at, @Nullable String detail) {
        alarms.event(customerId, deviceRef, type, on, at, detail);
    }

    @Override
    public void relayState(long customerId, String deviceRef, boolean on, String source) {
        commands.relayConfirmed(customerId, deviceRef, on, source);
    }

    @Override
    public boolean commandReport(long customerId, DeviceMessage.CommandReport report) {
        CommandStatus status =
                switch (report.outcome()) {
                    case ACKNOWLEDGED -> CommandStatus.ACKNOWLEDGED;
                    case DONE -> CommandStatus.DONE;
                    case FAILED -> CommandStatus.FAILED;
                };
        Boolean relay =
                switch (report.relay()) {
                    case ON -> Boolean.TRUE;
                    case OFF -> Boolean.FALSE;
                    case UNSAID -> null;
                };
        return commands.report(customerId, report.commandId(), status, report.detail(), relay)
                .isPresent();
    }
}
