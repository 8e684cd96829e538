package io.meterbase.core.api.tariff;

import io.meterbase.core.model.Category;
import java.math.BigDecimal;
import java.util.Set;

/**
 * A controlled-load circuit (an off-peak water heater, a pool pump, an EV charger on its own circuit): the energy of
 * the customer's devices of {@code categories} is priced at {@code price} instead of the general price. With
 * {@code separate} the circuit has its own meter at the grid connection (a second register), so the main meter does
 * not see it; without, it is sub-metered behind the main meter, whose hour is then billed less the circuit's.
 */
public record ControlledLoad(Set<Category> categories, BigDecimal price, Boolean separate) {

    public ControlledLoad {
        if (categories == null || categories.isEmpty()) {
            throw new IllegalArgumentException("controlled_load.categories: the appliance categories on the circuit");
        }
        if (categories.contains(Category.MAIN)) {
            throw new IllegalArgumentException("controlled_load.categories: the main meter is not a controlled load");
        }
        categories = Set.copyOf(categories);
        Tariff.requirePrice(price, "controlled_load.price", false);
        separate = separate == null ? Boolean.TRUE : separate;
    }
}
