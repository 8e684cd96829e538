package io.meterbase.services.community;

/**
 * How a customer compares with the community on one metric. When the community is smaller than the privacy
 * threshold only {@code withheld} (why) and {@code customers} are set. {@code rank} 1 is the lowest consumer; equal
 * values share a rank. {@code percentile} is the share (%) of the community using less than the customer.
 */
public record Comparison(
        String community,
        Metric metric,
        int customers,
        String withheld,
        Double min,
        Double max,
        Double average,
        Double value,
        Integer rank,
        Double percentile) {

    static Comparison withheld(String community, Metric metric, int customers, String why) {
        return new Comparison(community, metric, customers, why, null, null, null, null, null, null);
    }

    public boolean shown() {
        return withheld == null;
    }
}
