package io.meterbase.core.energy;

import io.meterbase.core.store.Rollup;

/** Running aggregates of one channel over one period; not thread-safe. */
public final class PeriodAccumulator {

    private final int channelId;
    private final long start;
    private long count;
    private double sum;
    private double min = Double.POSITIVE_INFINITY;
    private double max = Double.NEGATIVE_INFINITY;
    private double energy;

    public PeriodAccumulator(int channelId, long start, boolean withEnergy) {
        this.channelId = channelId;
        this.start = start;
        this.energy = withEnergy ? 0 : Double.NaN;
    }

    public long start() {
        return start;
    }

    /** Adds a value and the consumption since the reading before it (NaN where the channel has none). */
    public void add(double value, double consumption) {
        count++;
        sum += value;
        min = Math.min(min, value);
        max = Math.max(max, value);
        if (!Double.isNaN(energy) && !Double.isNaN(consumption)) {
            energy += consumption;
        }
    }

    public boolean isEmpty() {
        return count == 0;
    }

    public Rollup toRollup() {
        return new Rollup(channelId, start, count, sum, min, max, energy);
    }
}
