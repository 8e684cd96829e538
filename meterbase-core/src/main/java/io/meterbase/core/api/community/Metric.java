package io.meterbase.core.api.community;

/** What customers are compared on. */
public enum Metric {
    /** Live electric power, W. */
    POWER,
    /** Electricity consumed today (local day), Wh. */
    ENERGY_TODAY,
    /** Electricity consumed this month (local month), Wh. */
    ENERGY_MONTH,
    /** Water used this month, L (customers with a water meter only). */
    WATER_MONTH,
    /** Gas used this month, m³ (customers with a gas meter only). */
    GAS_MONTH,
    /** Heat used this month, Wh (customers with a heat meter only). */
    HEAT_MONTH
}
