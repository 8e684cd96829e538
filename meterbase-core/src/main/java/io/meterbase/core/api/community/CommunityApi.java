package io.meterbase.core.api.community;

import java.util.Optional;

/** How a customer compares with its community. */
public interface CommunityApi {

    /** Communities with fewer customers than this get no comparison. */
    int minCustomers();

    /** The community a customer is compared in, if any. */
    Optional<String> communityOf(long customerId);

    /** How the customer compares with its community in one metric; empty when the customer is in none. */
    Optional<Comparison> compare(long customerId, Metric metric);
}
