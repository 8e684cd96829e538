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

    ServiceDeviceReports(Presence presence, AlarmService alarms, CommandService commands) {
        this.presence = presence;
        this.alarms = alarms;
        this.commands = commands;
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
