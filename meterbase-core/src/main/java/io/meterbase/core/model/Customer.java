package io.meterbase.core.model;

import java.time.Instant;

/** A customer account: a household, shop or office that owns sites, gateways and devices. */
public record Customer(long id, String name, Instant createdAt) {

    public Customer {
        Checks.positive(id, "id");
        Checks.notBlank(name, "name");
        Checks.notNull(createdAt, "createdAt");
    }
}
