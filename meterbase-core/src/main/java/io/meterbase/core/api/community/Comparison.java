package io.meterbase.core.api.community;

import org.jspecify.annotations.Nullable;

/**
 * How a customer compares with the community on one metric. When the community is smaller than the privacy
 * threshold only {@code withheld} (why) and {@code customers} are set. {@code rank} 1 is the lowest consumer; equal
 * values share a rank. {@code percentile} is the share (%) of the community using less than the customer.
 */
public record Comparison(
        String community,
        Metric metric,
        int customers,
        @Nullable String withheld,
        @Nullable Double min,
        @Nullable Double max,
        @Nullable Double average,
        @Nullable Double value,
        @Nullable Integer rank,
        @Nullable Double percentile) {

    public static Comparison withheld(String community, Metric metric, int customers, String why) {
        return new Comparison(community, metric, customers, why, null, null, null, null, null, null);
    }

    public boolean shown() {
        return withheld == null;
    }
}
