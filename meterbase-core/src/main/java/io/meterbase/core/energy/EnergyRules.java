package io.meterbase.core.energy;

import io.meterbase.core.model.Accumulation;
import io.meterbase.core.model.Channel;
import io.meterbase.core.model.Quantity;

/**
 * How much a channel consumed between two consecutive readings: interval channels report it, registers give it
 * by {@link CounterStep}, active power is integrated by the trapezoid rule over gaps up to a maximum (a longer
 * gap is a gap: nobody knows what happened in it). {@link RollupTracker} books each amount to the time it covers.
 */
public final class EnergyRules {

    private static final double MAX_ENERGY_WH_PER_HOUR = 1e6;
    private static final double MAX_WATER_L_PER_HOUR = 1e5;
    private static final double MAX_GAS_M3_PER_HOUR = 1e3;
    /** A large district-heating substation: 100 MW; its circulating water: 10,000 m³ an hour. */
    private static final double MAX_HEAT_WH_PER_HOUR = 1e8;

    private static final double MAX_HEAT_WATER_M3_PER_HOUR = 1e4;

    private final long maxGapMillis;

    public EnergyRules(long maxGapMillis) {
        if (maxGapMillis <= 0) {
            throw new IllegalArgumentException("maxGapMillis: must be positive, was " + maxGapMillis);
        }
        this.maxGapMillis = maxGapMillis;
    }

    /** Whether rollups of this channel carry consumption. */
    public static boolean hasConsumption(Channel channel) {
        return channel.accumulation() != Accumulation.INSTANT || channel.quantity() == Quantity.ACTIVE_POWER;
    }

    /** Whether active power readings {@code dt} ms apart are integrated; a longer gap is reported as a gap. */
    public boolean integrates(long dt) {
        return dt > 0 && dt <= maxGapMillis;
    }

    /** The step of a cumulative register between two readings. */
    public CounterStep counterStep(Channel channel, long previousTs, double previous, long ts, double value) {
        return CounterStep.between(previous, value, ts - previousTs, maxPerHour(channel.quantity()));
    }

    static double maxPerHour(Quantity quantity) {
        return switch (quantity) {
            case WATER_VOLUME -> MAX_WATER_L_PER_HOUR;
            case GAS_VOLUME -> MAX_GAS_M3_PER_HOUR;
            case HEAT_ENERGY, COOLING_ENERGY -> MAX_HEAT_WH_PER_HOUR;
            case HEAT_VOLUME -> MAX_HEAT_WATER_M3_PER_HOUR;
            default -> MAX_ENERGY_WH_PER_HOUR;
        };
    }
}
