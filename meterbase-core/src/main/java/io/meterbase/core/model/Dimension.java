package io.meterbase.core.model;

/** The physical dimension of a unit; a unit converts only to units of the same dimension. */
public enum Dimension {
    POWER,
    REACTIVE_POWER,
    APPARENT_POWER,
    ENERGY,
    VOLTAGE,
    CURRENT,
    RATIO,
    FREQUENCY,
    TEMPERATURE,
    RELATIVE_HUMIDITY,
    ILLUMINANCE,
    CONCENTRATION,
    VOLUME
}
