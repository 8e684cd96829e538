package io.meterbase.core.api.tariff;

/** How a tariff version prices consumption. */
public enum Pricing {
    /** One price at all times. */
    FLAT,
    /** A price per period of the week (weekdays and hours), holidays priced as their own day kind. */
    TIME_OF_USE,
    /** Block rates: the price rises with the amount consumed since the start of the billing period. */
    TIERED,
    /** Prices posted through the API (for example hourly), the default price where none was posted. */
    DYNAMIC
}
