package io.meterbase.core.store;

/**
 * A registration that another node made at the same moment (the same gateway or device of a customer, the same
 * channel of a device): nothing of it was lost, and the registry now knows the other node's rows, so the same
 * registration asked again succeeds with them.
 */
public final class RegistrationConflictException extends StoreException {

    public RegistrationConflictException(String message) {
        super(message);
    }
}
