package io.meterbase.core.model;

import java.util.List;

/**
 * A unit of measurement: its symbols (the first is canonical, as in SenML where it has one), its dimension
 * and its linear relation {@code base = value * factor + offset} to the base unit of that dimension.
 */
public enum Unit {
    W(Dimension.POWER, 1, 0, "W"),
    KW(Dimension.POWER, 1e3, 0, "kW"),
    MW(Dimension.POWER, 1e6, 0, "MW"),
    VAR(Dimension.REACTIVE_POWER, 1, 0, "var", "VAr", "VAR"),
    KVAR(Dimension.REACTIVE_POWER, 1e3, 0, "kvar", "kVAr", "kVAR"),
    VA(Dimension.APPARENT_POWER, 1, 0, "VA"),
    KVA(Dimension.APPARENT_POWER, 1e3, 0, "kVA"),
    WH(Dimension.ENERGY, 1, 0, "Wh"),
    KWH(Dimension.ENERGY, 1e3, 0, "kWh"),
    MWH(Dimension.ENERGY, 1e6, 0, "MWh"),
    J(Dimension.ENERGY, 1 / 3600.0, 0, "J"),
    MJ(Dimension.ENERGY, 1e6 / 3600.0, 0, "MJ"),
    GJ(Dimension.ENERGY, 1e9 / 3600.0, 0, "GJ"),
    V(Dimension.VOLTAGE, 1, 0, "V"),
    KV(Dimension.VOLTAGE, 1e3, 0, "kV"),
    A(Dimension.CURRENT, 1, 0, "A"),
    MA(Dimension.CURRENT, 1e-3, 0, "mA"),
    RATIO(Dimension.RATIO, 1, 0, "/", "1", ""),
    PERCENT(Dimension.RATIO, 0.01, 0, "%"),
    HZ(Dimension.FREQUENCY, 1, 0, "Hz"),
    CELSIUS(Dimension.TEMPERATURE, 1, 0, "Cel", "°C", "C", "degC"),
    KELVIN(Dimension.TEMPERATURE, 1, -273.15, "K"),
    FAHRENHEIT(Dimension.TEMPERATURE, 5.0 / 9.0, -160.0 / 9.0, "°F", "F", "degF"),
    PERCENT_RH(Dimension.RELATIVE_HUMIDITY, 1, 0, "%RH", "%"),
    LUX(Dimension.ILLUMINANCE, 1, 0, "lx", "lux"),
    PPM(Dimension.CONCENTRATION, 1, 0, "ppm"),
    LITRE(Dimension.VOLUME, 1e-3, 0, "L", "l"),
    CUBIC_METRE(Dimension.VOLUME, 1, 0, "m3", "m³");

    private final Dimension dimension;
    private final double factor;
    private final double offset;
    private final List<String> symbols;

    Unit(Dimension dimension, double factor, double offset, String... symbols) {
        this.dimension = dimension;
        this.factor = factor;
        this.offset = offset;
        this.symbols = List.of(symbols);
    }

    public Dimension dimension() {
        return dimension;
    }

    /** The canonical symbol, as written in API answers and exports. */
    public String symbol() {
        return symbols.get(0);
    }

    /** Every symbol of this unit, the canonical one first. */
    public List<String> symbols() {
        return symbols;
    }

    /** Whether {@code symbol} names this unit (exact match on one of its symbols). */
    public boolean hasSymbol(String symbol) {
        return symbols.contains(symbol);
    }

    /** Converts {@code value} in this unit to {@code target}, which must have the same dimension. */
    public double convert(double value, Unit target) {
        if (target.dimension != dimension) {
            throw new IllegalArgumentException("target: " + target + " is not a unit of " + dimension);
        }
        if (target == this) {
            return value;
        }
        double base = value * factor + offset;
        return (base - target.offset) / target.factor;
    }
}
