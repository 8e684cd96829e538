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
    private double energyOut;
    private double estimated;
    private long gapMillis;
    private boolean touched;

    public PeriodAccumulator(int channelId, long start, boolean withEnergy) {
        this.channelId = channelId;
        this.start = start;
        this.energy = withEnergy ? 0 : Double.NaN;
        this.energyOut = withEnergy ? 0 : Double.NaN;
    }

    public long start() {
        return start;
    }

    /** Adds a value read in the period. */
    public void add(double value) {
        touched = true;
        count++;
        sum += value;
        min = Math.min(min, value);
        max = Math.max(max, value);
    }

    /**
     * Adds the share of a step's consumption that falls in the period; {@code estimated} when the step was too long
     * to be called measured. A negative share flowed against the channel's direction: it is added to the energy out
     * (export, charge), never taken from the energy in.
     */
    public void addShare(double consumption, boolean estimated) {
        if (Double.isNaN(energy) || Double.isNaN(consumption)) {
            return;
        }
        touched = true;
        if (consumption < 0) {
            energyOut -= consumption;
            return;
        }
        energy += consumption;
        if (estimated) {
            this.estimated += consumption;
        }
    }

    /** Adds time of the period in which nothing is known of the consumption. */
    public void addGap(long millis) {
        if (!Double.isNaN(energy)) {
            touched = true;
            gapMillis += millis;
        }
    }

    /** Whether nothing was added: no value, no share, no gap. */
    public boolean isEmpty() {
        return !touched;
    }

    public Rollup toRollup() {
        return count == 0
                ? new Rollup(channelId, start, 0, 0, Double.NaN, Double.NaN, energy, estimated, gapMillis, energyOut)
                : new Rollup(channelId, start, count, sum, min, max, energy, estimated, gapMillis, energyOut);
    }
}
