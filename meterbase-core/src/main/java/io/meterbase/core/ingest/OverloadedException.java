package io.meterbase.core.ingest;

/**
 * The pipeline cannot take more now: nothing of the submission was accepted, and the sender should retry later.
 * Transports turn this into HTTP 503, a withheld MQTT acknowledgement, or a CoAP 5.03.
 */
public final class OverloadedException extends RuntimeException {

    public OverloadedException(String message) {
        super(message, null, false, false);
    }
}
