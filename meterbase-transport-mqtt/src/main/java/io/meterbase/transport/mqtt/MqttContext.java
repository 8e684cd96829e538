package io.meterbase.transport.mqtt;

import io.meterbase.control.alarm.AlarmService;
import io.meterbase.control.command.CommandService;
import io.meterbase.core.ingest.FormatRegistry;
import io.meterbase.core.ingest.IngestService;
import io.meterbase.core.ingest.Presence;
import io.meterbase.core.registry.Registry;
import io.meterbase.formats.emoncms.EmoncmsDecoder;
import java.time.Clock;

/** What the MQTT transport needs from the rest of Meterbase, handed over as one toolbox. */
public record MqttContext(
        Registry registry,
        IngestService ingest,
        FormatRegistry formats,
        EmoncmsDecoder emoncms,
        Presence presence,
        Clock clock,
        CommandService commands,
        AlarmService alarms) {}
