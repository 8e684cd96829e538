package io.meterbase.core.ingest;

/**
 * The pipeline cannot take more now: nothing of the submission was accepted, and the sender should retry after
 * {@link #retryAfterSeconds()}. Transports turn this into HTTP 503 with {@code Retry-After}, a negative MQTT 5
 * acknowledgement (or a withheld one for MQTT 3), or a CoAP 5.03.
 */
public final class OverloadedException extends RuntimeException {

    private final long retryAfterSeconds;

    public OverloadedException(String message) {
        this(message, 1);
    }

    public OverloadedException(String message, long retryAfterSeconds) {
        super(message, null, false, false);
        this.retryAfterSeconds = Math.max(1, retryAfterSeconds);
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
