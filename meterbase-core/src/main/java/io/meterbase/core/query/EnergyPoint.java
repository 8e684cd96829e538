package io.meterbase.core.query;

/**
 * Consumption of one group (a device, category, site or the whole selection) in one period. {@code estimated} is the
 * part of {@code amount} apportioned from steps longer than an hour (not measured within the hour); {@code gapMillis}
 * the time, summed over the group's channels, in which the consumption is unknown.
 */
public record EnergyPoint(String group, long periodStart, double amount, double estimated, long gapMillis) {

    /** A measured amount: nothing estimated, no gap. */
    public EnergyPoint(String group, long periodStart, double amount) {
        this(group, periodStart, amount, 0, 0);
    }

    /** Whether some of the period's consumption is estimated or unknown. */
    public boolean isEstimated() {
        return estimated > 0 || gapMillis > 0;
    }
}
