package io.meterbase.core.model;

import org.jspecify.annotations.Nullable;

/** The kind of device behind a set of channels. */
public enum DeviceType {
    SMART_PLUG,
    ELECTRICITY_METER,
    WATER_METER,
    GAS_METER,
    /** A heat or cooling meter: energy and volume registers, flow and return temperatures, thermal power. */
    HEAT_METER,
    SENSOR_NODE;

    /** Parses {@code smart_plug}, {@code SMART-PLUG} and the like; unknown names give {@code SENSOR_NODE}. */
    public static DeviceType parse(@Nullable String text) {
        return text == null || text.isBlank() ? SMART_PLUG : Names.parse(DeviceType.class, text, SENSOR_NODE);
    }
}
