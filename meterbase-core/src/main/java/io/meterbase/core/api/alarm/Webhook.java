package io.meterbase.core.api.alarm;

import java.util.List;
import org.jspecify.annotations.Nullable;

/** Where alarm changes are posted: a customer's URL (or, with no customer, an operator's for every alarm). */
public record Webhook(
        String id,
        @Nullable Long customerId,
        String url,
        List<String> types,
        @Nullable Severity minSeverity) {

    /** A webhook that takes every alarm. */
    public Webhook(String id, @Nullable Long customerId, String url) {
        this(id, customerId, url, List.of(), null);
    }

    /** Whether an alarm's changes are posted to it: its type starts with one of {@code types} (none: any). */
    public boolean takes(Alarm alarm) {
        return (minSeverity == null || alarm.severity().compareTo(minSeverity) >= 0)
                && (types.isEmpty() || types.stream().anyMatch(alarm.type()::startsWith));
    }

    public Webhook {
        types = types == null ? List.of() : List.copyOf(types);
        if (url == null || !(url.startsWith("http://") || url.startsWith("https://"))) {
            throw new IllegalArgumentException("a webhook url starts with http:// or https://");
        }
        java.net.URI.create(url); // throws IllegalArgumentException when malformed
    }
}
