package io.meterbase.core.api.tariff;

import java.math.BigDecimal;
import java.time.Instant;

/** A dynamic price in force from {@code from} until the next point (at most a day). */
public record PricePoint(Instant from, BigDecimal price) {

    public PricePoint {
        if (from == null || price == null) {
            throw new IllegalArgumentException("a price point needs from (a time) and price");
        }
    }
}
