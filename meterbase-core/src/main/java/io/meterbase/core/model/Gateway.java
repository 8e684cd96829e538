package io.meterbase.core.model;

import org.jspecify.annotations.Nullable;

/**
 * A gateway that collects the readings of its nodes and uploads them together. {@code ref} is the name the
 * gateway uses for itself in uploads, unique per customer.
 */
public record Gateway(
        long id,
        long customerId,
        long siteId,
        String ref,
        String name,
        @Nullable String address,
        int port) {

    public Gateway {
        Checks.positive(id, "id");
        Checks.positive(customerId, "customerId");
        Checks.positive(siteId, "siteId");
        Checks.notBlank(ref, "ref");
        Checks.notBlank(name, "name");
    }
}
