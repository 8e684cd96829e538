package io.meterbase.services.stored;

import io.meterbase.core.api.command.RelayState;
import java.time.Instant;

/** The last known state of a device's relay, as stored. */
public record StoredRelay(boolean on, Instant at, String source) {

    public static StoredRelay of(RelayState s) {
        return new StoredRelay(s.on(), s.at(), s.source());
    }

    public RelayState toApi() {
        return new RelayState(on, at, source);
    }
}
