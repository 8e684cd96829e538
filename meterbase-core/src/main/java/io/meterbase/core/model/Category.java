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
    /** The meter at the grid connection: power positive while importing, negative while exporting. */
    MAIN,
    /** Solar panels' inverter or generation meter: what it measures is generation, whatever its sign. */
    SOLAR,
    /** A wind turbine's inverter or generation meter, as {@link #SOLAR}. */
    WIND,
    /** A home battery: power positive while discharging (into the home), negative while charging. */
    BATTERY,
    OTHER;

    /** Whether the device produces energy (solar, wind) rather than using it. */
    public boolean generates() {
        return this == SOLAR || this == WIND;
    }

    /** Whether the device stores energy: what it takes in is given back, so it is no one's consumption. */
    public boolean stores() {
        return this == BATTERY;
    }

    /** Parses {@code air_conditioner}, {@code Air conditioner} and the like; unknown names give {@code OTHER}. */
    public static Category parse(@Nullable String text) {
        return Names.parse(Category.class, text, OTHER);
    }

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
