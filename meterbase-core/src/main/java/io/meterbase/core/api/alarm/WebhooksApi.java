package io.meterbase.core.api.alarm;

import java.util.List;
import org.jspecify.annotations.Nullable;

/** Webhooks that alarm changes are posted to: a customer's, or (customer null) an operator's for everyone. */
public interface WebhooksApi {

    Webhook add(@Nullable Long customerId, String url);

    /** Removes a webhook of the customer (any for null); false when there is none. */
    boolean remove(String id, @Nullable Long customerId);

    List<Webhook> of(@Nullable Long customerId);
}
