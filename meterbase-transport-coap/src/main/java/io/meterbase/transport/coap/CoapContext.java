package io.meterbase.transport.coap;

import io.meterbase.control.command.CommandService;
import io.meterbase.core.auth.DevicePsk;
import io.meterbase.core.ingest.FormatRegistry;
import io.meterbase.core.ingest.IngestService;
import io.meterbase.core.registry.Registry;
import java.time.Clock;

/** What the CoAP transport needs from the rest of Meterbase. */
public record CoapContext(
        Registry registry,
        IngestService ingest,
        FormatRegistry formats,
        DevicePsk psk,
        Clock clock,
        CommandService commands) {}
