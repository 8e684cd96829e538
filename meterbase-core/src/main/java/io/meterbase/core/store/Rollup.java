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
        long gapMillis) {

    /** A period measured throughout: nothing estimated, no gap. */
    public Rollup(int channelId, long start, long count, double sum, double min, double max, double energy) {
        this(channelId, start, count, sum, min, max, energy, 0, 0);
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
