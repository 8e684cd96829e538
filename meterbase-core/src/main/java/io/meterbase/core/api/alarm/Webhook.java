package io.meterbase.core.api.alarm;

import org.jspecify.annotations.Nullable;

/** Where alarm changes are posted: a customer's URL (or, with no customer, an operator's for every alarm). */
public record Webhook(String id, @Nullable Long customerId, String url) {

    public Webhook {
        if (url == null || !(url.startsWith("http://") || url.startsWith("https://"))) {
            throw new IllegalArgumentException("a webhook url starts with http:// or https://");
        }
        java.net.URI.create(url); // throws IllegalArgumentException when malformed
    }
}
