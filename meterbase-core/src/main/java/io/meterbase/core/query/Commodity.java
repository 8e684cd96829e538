package io.meterbase.core.query;

import io.meterbase.core.model.Quantity;
import io.meterbase.core.model.Unit;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** What is consumed: electricity (Wh), water (L), gas (m³), heat or cooling (Wh). */
public enum Commodity {
    ELECTRICITY(Quantity.ENERGY_IMPORT, Unit.WH),
    WATER(Quantity.WATER_VOLUME, Unit.LITRE),
    GAS(Quantity.GAS_VOLUME, Unit.CUBIC_METRE),
    HEAT(Quantity.HEAT_ENERGY, Unit.WH),
    COOLING(Quantity.COOLING_ENERGY, Unit.WH);

    private final Quantity quantity;
    private final Unit unit;

    Commodity(Quantity quantity, Unit unit) {
        this.quantity = quantity;
        this.unit = unit;
    }

    public Quantity quantity() {
        return quantity;
    }

    public Unit unit() {
        return unit;
    }

    public static Optional<Commodity> parse(@Nullable String text) {
        if (text == null || text.isBlank()) {
            return Optional.of(ELECTRICITY);
        }
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "electricity", "energy" -> Optional.of(ELECTRICITY);
            case "water" -> Optional.of(WATER);
            case "gas" -> Optional.of(GAS);
            case "heat", "heating" -> Optional.of(HEAT);
            case "cooling" -> Optional.of(COOLING);
            default -> Optional.empty();
        };
    }
}
