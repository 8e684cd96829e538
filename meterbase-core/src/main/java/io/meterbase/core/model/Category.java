package io.meterbase.core.model;

import java.util.Locale;

/** What an appliance is used for, so consumption can be analysed per category. */
public enum Category {
    FRIDGE,
    FREEZER,
    AIR_CONDITIONER,
    HEATING,
    WATER_HEATER,
    LIGHTING,
    EV_CHARGER,
    WASHING_MACHINE,
    DISHWASHER,
    KETTLE,
    OVEN,
    TV,
    COMPUTER,
    PUMP,
    MAIN,
    OTHER;

    /** Parses {@code air_conditioner}, {@code Air conditioner} and the like; unknown names give {@code OTHER}. */
    public static Category parse(String text) {
        if (text == null || text.isBlank()) {
            return OTHER;
        }
        String normal = text.trim().toUpperCase(Locale.ROOT).replace('-', '_').replace(' ', '_');
        for (Category category : values()) {
            if (category.name().equals(normal)) {
                return category;
            }
        }
        return OTHER;
    }

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
