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
        @Nullable String secret) {

    public Webhook toApi() {
        return new Webhook(id, customerId, url);
    }
}
