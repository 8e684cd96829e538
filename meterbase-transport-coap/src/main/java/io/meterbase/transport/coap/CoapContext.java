package io.meterbase.transport.coap;

import io.meterbase.core.auth.DevicePsk;
import io.meterbase.core.device.CommandOutbox;
import io.meterbase.core.ingest.Intake;
import io.meterbase.core.registry.Registry;

/** What the CoAP transport needs from the rest of Meterbase. */
public record CoapContext(Registry registry, Intake intake, DevicePsk psk, CommandOutbox commands) {}
