package io.meterbase.core.api.tariff;

/** A customer has no tariff for a commodity, so nothing can be costed. */
public final class NoTariffException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public NoTariffException(String message) {
        super(message);
    }
}
