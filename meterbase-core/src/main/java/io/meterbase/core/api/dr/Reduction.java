package io.meterbase.core.api.dr;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What an event achieved: per customer and in total, the energy used during the event against the baseline (the
 * mean over up to 10 previous similar days — weekdays or weekend days — of the same local time window).
 */
public record Reduction(
        String eventId,
        String community,
        @Nullable Double targetReductionKw,
        double hours,
        List<CustomerReduction> customers,
        @Nullable Double baselineWh,
        @Nullable Double actualWh,
        @Nullable Double reductionWh,
        @Nullable Double reductionKw) {

    /** One customer's figures; the baseline is null when no similar day has data. */
    public record CustomerReduction(
            long customerId,
            int baselineDays,
            @Nullable Double baselineWh,
            double actualWh,
            @Nullable Double reductionWh) {}
}
