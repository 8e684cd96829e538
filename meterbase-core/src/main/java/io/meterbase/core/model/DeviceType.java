package io.meterbase.core.model;

import java.util.Locale;

/** The kind of device behind a set of channels. */
public enum DeviceType {
    SMART_PLUG,
    ELECTRICITY_METER,
    WATER_METER,
    GAS_METER,
    SENSOR_NODE;

    /** Parses {@code smart_plug}, {@code SMART-PLUG} and the like; unknown names give {@code SENSOR_NODE}. */
    public static DeviceType parse(String text) {
        if (text == null || text.isBlank()) {
            return SMART_PLUG;
        }
        String normal = text.trim().toUpperCase(Locale.ROOT).replace('-', '_').replace(' ', '_');
        for (DeviceType type : values()) {
            if (type.name().equals(normal)) {
                return type;
            }
        }
        return SENSOR_NODE;
    }
}
