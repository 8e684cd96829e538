package io.meterbase.core.ingest;

import java.util.Locale;

/** Why an input or one of its readings was refused. The names appear in answers, quarantine and metrics. */
public enum RejectReason {
    MALFORMED_PAYLOAD,
    PAYLOAD_TOO_LARGE,
    UNKNOWN_FORMAT,
    UNAUTHORIZED,
    KEY_REVOKED,
    UNKNOWN_DEVICE,
    DEVICE_PENDING_APPROVAL,
    UNKNOWN_QUANTITY,
    UNIT_MISMATCH,
    ACCUMULATION_MISMATCH,
    CHANNEL_CONFLICT,
    NOT_FINITE,
    OUT_OF_RANGE,
    TIMESTAMP_IN_FUTURE,
    TIMESTAMP_TOO_OLD,
    /** A gateway, device or channel reference (or a display name) that is not allowed. */
    INVALID_REFERENCE,
    /** The customer registered more new devices than its limit allows; they are registered later. */
    REGISTRATION_LIMITED,
    /** The device has as many channels as allowed. */
    CHANNEL_LIMIT,
    /** The key may upload for one device or through one gateway only, and this is another. */
    OUTSIDE_KEY_SCOPE;

    /** The lower-case form used in JSON answers and metric tags, e.g. {@code unit_mismatch}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
