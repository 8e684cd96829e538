package io.meterbase.core.api.alarm;

import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** Webhooks that alarm changes are posted to: a customer's, or (customer null) an operator's for everyone. */
public interface WebhooksApi {

    /** A webhook just made (or given a new secret), with the secret its deliveries are signed with, shown once. */
    record Created(String id, @Nullable Long customerId, String url, String secret) {}

    /**
     * Adds a webhook.
     *
     * @throws IllegalArgumentException when the server may not post to {@code url} (with the reason)
     */
    default Created add(@Nullable Long customerId, String url) {
        return add(customerId, url, List.of(), null);
    }

    /**
     * Adds a webhook that takes only alarms whose type starts with one of {@code types} (empty: any) and of at least
     * {@code minSeverity} (null: any).
     *
     * @throws IllegalArgumentException when the server may not post to {@code url} (with the reason)
     */
    Created add(@Nullable Long customerId, String url, List<String> types, @Nullable Severity minSeverity);

    /** Gives a webhook of the customer (any for null) a new secret; empty when there is none. */
    Optional<Created> newSecret(String id, @Nullable Long customerId);

    /** Removes a webhook of the customer (any for null); false when there is none. */
    boolean remove(String id, @Nullable Long customerId);

    List<Webhook> of(@Nullable Long customerId);
}
