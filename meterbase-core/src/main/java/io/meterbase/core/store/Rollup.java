package io.meterbase.core.store;

/**
 * Aggregates of one channel over one period (an hour, or a local day) that starts at {@code start} (epoch ms).
 * {@code energy} is the consumption in the period in the channel's unit (Wh, L or m³; Wh integrated from power for
 * active-power channels), or NaN where the channel has none.
 */
public record Rollup(int channelId, long start, long count, double sum, double min, double max, double energy) {

    public double avg() {
        return count == 0 ? Double.NaN : sum / count;
    }

    public boolean hasEnergy() {
        return !Double.isNaN(energy);
    }
}
