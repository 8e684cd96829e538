package io.meterbase.core.api.community;

/** What customers are compared on. */
public enum Metric {
    /** Live electric power, W. */
    POWER,
    /** Electricity consumed today (local day), Wh. */
    ENERGY_TODAY,
    /** Electricity consumed this month (local month), Wh. */
    ENERGY_MONTH
}
