package io.meterbase.services.stored;

import io.meterbase.core.api.alarm.Webhook;
import org.jspecify.annotations.Nullable;

/** A webhook as stored. */
public record StoredWebhook(String id, @Nullable Long customerId, String url) {

    public static StoredWebhook of(Webhook w) {
        return new StoredWebhook(w.id(), w.customerId(), w.url());
    }

    public Webhook toApi() {
        return new Webhook(id, customerId, url);
    }
}
