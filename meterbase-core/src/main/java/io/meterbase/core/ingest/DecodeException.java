package io.meterbase.core.ingest;

/**
 * A payload could not be decoded. Carries the reason for the sender and the quarantine; bad device data is
 * expected, so no stack trace is filled in.
 */
public final class DecodeException extends Exception {

    public DecodeException(String reason) {
        super(reason, null, false, false);
    }
}
