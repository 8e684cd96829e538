package io.meterbase.core.model;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What a channel measures, with its canonical unit (the unit every stored value is in) and the default range of
 * physically plausible values that validation applies unless configured otherwise.
 */
public enum Quantity {
    ACTIVE_POWER("active_power", Unit.W, -10e6, 10e6),
    REACTIVE_POWER("reactive_power", Unit.VAR, -10e6, 10e6),
    APPARENT_POWER("apparent_power", Unit.VA, 0, 10e6),
    ENERGY_IMPORT("energy_import", Unit.WH, -1e9, 1e13),
    ENERGY_EXPORT("energy_export", Unit.WH, -1e9, 1e13),
    VOLTAGE("voltage", Unit.V, 0, 1000),
    CURRENT("current", Unit.A, -10_000, 10_000),
    POWER_FACTOR("power_factor", Unit.RATIO, -1, 1),
    FREQUENCY("frequency", Unit.HZ, 0, 100),
    TEMPERATURE("temperature", Unit.CELSIUS, -60, 200),
    RELATIVE_HUMIDITY("humidity", Unit.PERCENT_RH, 0, 100),
    ILLUMINANCE("illuminance", Unit.LUX, 0, 200_000),
    GAS_CONCENTRATION("gas_concentration", Unit.PPM, 0, 1_000_000),
    WATER_VOLUME("water_volume", Unit.LITRE, -1e7, 1e12),
    GAS_VOLUME("gas_volume", Unit.CUBIC_METRE, -1e5, 1e10),
    /** Heat delivered, as a heat meter (or a district-heating substation) registers it. */
    HEAT_ENERGY("heat_energy", Unit.WH, -1e9, 1e15),
    /** Cold delivered, as a cooling meter registers it. */
    COOLING_ENERGY("cooling_energy", Unit.WH, -1e9, 1e15),
    /** Thermal power through a heat or cooling meter. */
    HEAT_POWER("heat_power", Unit.W, -1e8, 1e8),
    /** Volume of heating water through a heat meter: not water the household uses. */
    HEAT_VOLUME("heat_volume", Unit.CUBIC_METRE, -1e5, 1e10),
    /** How full a battery is, in percent of its capacity. */
    STATE_OF_CHARGE("state_of_charge", Unit.PERCENT, 0, 100),
    FLOW_TEMPERATURE("flow_temperature", Unit.CELSIUS, -60, 200),
    RETURN_TEMPERATURE("return_temperature", Unit.CELSIUS, -60, 200);

    private final String key;
    private final Unit canonicalUnit;
    private final double defaultMin;
    private final double defaultMax;

    Quantity(String key, Unit canonicalUnit, double defaultMin, double defaultMax) {
        this.key = key;
        this.canonicalUnit = canonicalUnit;
        this.defaultMin = defaultMin;
        this.defaultMax = defaultMax;
    }

    /** The name used in payloads and the API, e.g. {@code active_power}. */
    public String key() {
        return key;
    }

    public Unit canonicalUnit() {
        return canonicalUnit;
    }

    public double defaultMin() {
        return defaultMin;
    }

    public double defaultMax() {
        return defaultMax;
    }

    /** Whether readings of this quantity are amounts (energy, volume) that can be summed into consumption. */
    public boolean isConsumption() {
        return switch (this) {
            case ENERGY_IMPORT, ENERGY_EXPORT, WATER_VOLUME, GAS_VOLUME, HEAT_ENERGY, COOLING_ENERGY, HEAT_VOLUME ->
                true;
            default -> false;
        };
    }

    /** Whether {@code accumulation} makes sense for this quantity: registers and intervals only for amounts. */
    public boolean allows(Accumulation accumulation) {
        return isConsumption() || accumulation == Accumulation.INSTANT;
    }

    /** The accumulation assumed when a payload does not say: a register for amounts, an instant otherwise. */
    public Accumulation defaultAccumulation() {
        return isConsumption() ? Accumulation.CUMULATIVE : Accumulation.INSTANT;
    }

    /** The unit of this quantity written as {@code symbol}, or empty when the symbol is no unit of it. */
    public Optional<Unit> unit(@Nullable String symbol) {
        return symbol == null
                ? Optional.empty()
                : Optional.ofNullable(Lookup.UNITS.getOrDefault(this, Map.of()).get(symbol));
    }

    /** The quantity with payload name {@code key} (case-insensitive), or empty. */
    public static Optional<Quantity> ofKey(@Nullable String key) {
        if (key == null) {
            return Optional.empty();
        }
        Quantity q = Lookup.KEYS.get(key);
        return q != null ? Optional.of(q) : Optional.ofNullable(Lookup.KEYS.get(key.toLowerCase(Locale.ROOT)));
    }

    /** Lookup tables, built once: payload names to quantities, and each quantity's unit symbols to units. */
    private static final class Lookup {
        static final Map<String, Quantity> KEYS = new HashMap<>();
        static final Map<Quantity, Map<String, Unit>> UNITS = new EnumMap<>(Quantity.class);

        static {
            for (Quantity q : values()) {
                KEYS.put(q.key, q);
                Map<String, Unit> symbols = new HashMap<>();
                for (Unit u : Unit.values()) {
                    if (u.dimension() == q.canonicalUnit.dimension()) {
                        u.symbols().forEach(sym -> symbols.putIfAbsent(sym, u));
                    }
                }
                UNITS.put(q, symbols);
            }
        }
    }
}
