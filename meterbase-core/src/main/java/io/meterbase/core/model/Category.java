package io.meterbase.core.model;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

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
    public static Category parse(@Nullable String text) {
        return Names.parse(Category.class, text, OTHER);
    }

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
