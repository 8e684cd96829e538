package io.meterbase.core.store;

/**
 * Aggregates of one channel over one period (an hour, or a local day) that starts at {@code start} (epoch ms).
 * {@code energy} is the consumption in the period in the channel's unit (Wh, L or m³; Wh integrated from power for
 * active-power channels), or NaN where the channel has none.
 *
 * <p>Consumption is booked to the time it covers: a step between two readings is shared among the hours it spans.
 * {@code estimated} is the part of {@code energy} that was apportioned from a step longer than an hour (a register
 * read daily, or after a gap), not measured within the period; {@code gapMillis} is how long in the period nobody
 * knows what was consumed (power readings further apart than the longest gap integrated, intervals missing). A
 * period that received only a share of a step has {@code count} 0, and its {@code min}, {@code max} and
 * {@link #avg()} are NaN.
 *
 * <p>Energy flows both ways through some channels: a grid meter's power is negative while the home exports, a
 * battery's while it charges, a plug's when something behind it generates. {@code energy} is what flowed in the
 * channel's own direction (never negative: consumption, import, discharge), {@code energyOut} what flowed against
 * it (never negative either: export, charge), both in the channel's unit; NaN where the channel has no energy.
 * Registers and intervals of energy flow one way (an export register is its own channel, with its own
 * {@code energy}); only power, and interval amounts reported negative, have an {@code energyOut}.
 */
public record Rollup(
        int channelId,
        long start,
        long count,
        double sum,
        double min,
        double max,
        double energy,
        double estimated,
        long gapMillis,
        double energyOut) {

    /** A period measured throughout: nothing estimated, no gap, nothing against the channel's direction. */
    public Rollup(int channelId, long start, long count, double sum, double min, double max, double energy) {
        this(channelId, start, count, sum, min, max, energy, 0, 0);
    }

    /** A period in which nothing flowed against the channel's direction. */
    public Rollup(
            int channelId,
            long start,
            long count,
            double sum,
            double min,
            double max,
            double energy,
            double estimated,
            long gapMillis) {
        this(
                channelId,
                start,
                count,
                sum,
                min,
                max,
                energy,
                estimated,
                gapMillis,
                Double.isNaN(energy) ? Double.NaN : 0);
    }

    /** What flowed in the channel's direction less what flowed against it (NaN where the channel has no energy). */
    public double net() {
        return energy - energyOut;
    }

    public double avg() {
        return count == 0 ? Double.NaN : sum / count;
    }

    public boolean hasEnergy() {
        return !Double.isNaN(energy);
    }

    /** Whether some of the period's consumption is estimated or unknown. */
    public boolean isEstimated() {
        return estimated > 0 || gapMillis > 0;
    }
}
