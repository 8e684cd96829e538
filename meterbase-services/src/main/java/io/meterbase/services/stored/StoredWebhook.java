package io.meterbase.services.stored;

import io.meterbase.core.api.alarm.Webhook;
import org.jspecify.annotations.Nullable;

/**
 * A webhook as stored, with the secret its deliveries are signed with (null for webhooks made before deliveries
 * were signed, until a new secret is asked for).
 */
public record StoredWebhook(
        String id,
        @Nullable Long customerId,
        String url,
        @Nullable String secret,

        @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
        java.util.@Nullable List<String> types,

        @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
        io.meterbase.core.api.alarm.@Nullable Severity minSeverity) {

    /** A webhook that takes every alarm. */
    public StoredWebhook(String id, @Nullable Long customerId, String url, @Nullable String secret) {
        this(id, customerId, url, secret, null, null);
    }

    public Webhook toApi() {
        return new Webhook(id, customerId, url, types == null ? java.util.List.of() : types, minSeverity);
    }
}
