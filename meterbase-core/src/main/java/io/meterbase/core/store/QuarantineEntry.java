package io.meterbase.core.store;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A rejected input, kept so that an operator can see what was refused and why: the raw payload (or the rejected
 * part of it), where it came from and the reason.
 */
public record QuarantineEntry(
        Instant receivedAt,
        String source,
        long customerId,
        String reason,
        String detail,
        @Nullable String payload) {

    /** Payloads are kept up to this many characters; the rest is cut and marked. */
    public static final int MAX_PAYLOAD_CHARS = 4096;

    public QuarantineEntry {
        if (payload != null && payload.length() > MAX_PAYLOAD_CHARS) {
            payload = payload.substring(0, MAX_PAYLOAD_CHARS) + "…[cut, " + payload.length() + " chars]";
        }
    }
}
