package io.meterbase.transport.mqtt;

import io.meterbase.control.alarm.AlarmService;
import io.meterbase.control.command.CommandService;
import io.meterbase.core.ingest.Intake;
import io.meterbase.core.ingest.Presence;
import io.meterbase.core.registry.Registry;
import java.time.Clock;

/** What the MQTT transport needs from the rest of Meterbase, handed over as one toolbox. */
public record MqttContext(
        Registry registry,
        Intake intake,
        Presence presence,
        Clock clock,
        CommandService commands,
        AlarmService alarms) {}
