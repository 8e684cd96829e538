package io.meterbase.core.ingest;

/**
 * A sender exceeded its rate limit: nothing of the submission was accepted; it may send again after
 * {@link #retryAfterSeconds()}. Transports answer HTTP 429, an MQTT 5 negative PUBACK, or CoAP 4.29.
 */
public final class RateLimitedException extends RuntimeException {

    private final long retryAfterSeconds;

    public RateLimitedException(String message, long retryAfterSeconds) {
        super(message, null, false, false);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
