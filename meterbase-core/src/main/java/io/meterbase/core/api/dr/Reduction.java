package io.meterbase.core.api.dr;

import java.util.List;

/**
 * What an event achieved: per customer and in total, the energy used during the event against the baseline (the
 * mean over up to 10 previous similar days — weekdays or weekend days — of the same local time window).
 */
public record Reduction(
        String eventId,
        String community,
        Double targetReductionKw,
        double hours,
        List<CustomerReduction> customers,
        Double baselineWh,
        Double actualWh,
        Double reductionWh,
        Double reductionKw) {

    /** One customer's figures; the baseline is null when no similar day has data. */
    public record CustomerReduction(
            long customerId, int baselineDays, Double baselineWh, double actualWh, Double reductionWh) {}
}
