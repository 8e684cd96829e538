package io.meterbase.transport.coap;

import io.meterbase.core.auth.DevicePsk;
import io.meterbase.core.device.CommandOutbox;
import io.meterbase.core.ingest.Intake;
import io.meterbase.core.registry.Registry;

/**
 * What the CoAP transport needs from the rest of Meterbase.
 *
 * @param customerPsk whether the older customer-wide PSK identities ({@code c<customer>:<device>}) are taken besides
 *     those of device and gateway keys ({@code k<key id>})
 */
public record CoapContext(
        Registry registry, Intake intake, DevicePsk psk, CommandOutbox commands, boolean customerPsk) {

    /** A context that takes both kinds of PSK identity. */
    public CoapContext(Registry registry, Intake intake, DevicePsk psk, CommandOutbox commands) {
        this(registry, intake, psk, commands, true);
    }

    PskIdentities identities() {
        return new PskIdentities(registry, psk, customerPsk);
    }
}
