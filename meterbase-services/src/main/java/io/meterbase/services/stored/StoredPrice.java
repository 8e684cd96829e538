package io.meterbase.services.stored;

import io.meterbase.core.api.tariff.PricePoint;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/** A dynamic price from a time on, as stored (a day's prices are one document: a list of these). */
public record StoredPrice(Instant from, BigDecimal price) {

    public static List<StoredPrice> of(List<PricePoint> points) {
        return points.stream().map(p -> new StoredPrice(p.from(), p.price())).toList();
    }

    public static List<PricePoint> toApi(List<StoredPrice> stored) {
        return stored.stream().map(p -> new PricePoint(p.from(), p.price())).toList();
    }
}
