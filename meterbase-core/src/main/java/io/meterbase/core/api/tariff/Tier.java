package io.meterbase.core.api.tariff;

import java.math.BigDecimal;
import org.jspecify.annotations.Nullable;

/**
 * A block of a tiered tariff: consumption in the billing period up to {@code upTo} (in the billing unit; none for
 * the last, open block) is priced at {@code price}.
 */
public record Tier(@Nullable BigDecimal upTo, BigDecimal price) {

    public Tier {
        Tariff.requirePrice(price, "tier", false);
        if (upTo != null && upTo.signum() <= 0) {
            throw new IllegalArgumentException("a tier's up_to must be positive");
        }
    }
}
