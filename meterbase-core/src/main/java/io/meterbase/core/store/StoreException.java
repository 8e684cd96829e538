package io.meterbase.core.store;

/** A store could not do what was asked; nothing of a failed write was kept. */
public class StoreException extends RuntimeException {

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public StoreException(String message) {
        super(message);
    }
}
