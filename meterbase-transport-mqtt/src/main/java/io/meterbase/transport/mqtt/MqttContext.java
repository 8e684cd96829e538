package io.meterbase.transport.mqtt;

import io.meterbase.core.auth.ClientCertificates;
import io.meterbase.core.device.AlarmFeed;
import io.meterbase.core.device.CommandOutbox;
import io.meterbase.core.ingest.Intake;
import io.meterbase.core.ingest.Presence;
import io.meterbase.core.registry.Registry;
import java.time.Clock;

/**
 * What the MQTT transport needs from the rest of Meterbase, handed over as one toolbox.
 *
 * @param certificates what devices' X.509 client certificates authenticate (over TLS, without a password)
 */
public record MqttContext(
        Registry registry,
        Intake intake,
        Presence presence,
        Clock clock,
        CommandOutbox commands,
        AlarmFeed alarms,
        ClientCertificates certificates) {}
