package io.meterbase.core.device;

/** A channel reached the device, but the device cannot carry out this kind of command: the command fails. */
public final class UnsupportedCommandException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public UnsupportedCommandException(String message) {
        super(message);
    }
}
