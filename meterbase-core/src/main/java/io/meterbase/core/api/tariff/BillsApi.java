package io.meterbase.core.api.tariff;

import io.meterbase.core.query.Commodity;
import java.time.Instant;

/** What consumption costs: so far today or this billing period, or over any period. */
public interface BillsApi {

    /** The periods "so far" that customers watch. */
    enum SoFar {
        TODAY,
        BILLING_PERIOD
    }

    /** The cost so far of a customer's use of a commodity. */
    Bill soFar(long customerId, Commodity commodity, SoFar period);

    /** The bill of a customer's use of a commodity in {@code [from, to)}. */
    Bill bill(long customerId, Commodity commodity, Instant from, Instant to);

    /**
     * A recharge bill: what one of the customer's meters (a tenant's or a floor's sub-meter) used in
     * {@code [from, to)}, at the customer's tariff; no export is credited.
     *
     * @throws java.util.NoSuchElementException when the customer has no such device
     */
    Bill recharge(long customerId, String deviceRef, Commodity commodity, Instant from, Instant to);
}
