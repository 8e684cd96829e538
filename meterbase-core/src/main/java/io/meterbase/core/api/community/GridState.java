package io.meterbase.core.api.community;

import java.math.BigDecimal;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The state of a community's grid: {@code NORMAL}, {@code PEAK} or {@code CRITICAL}, and why: the live load
 * against the capacity, the demand-response events in progress, the price level.
 */
public record GridState(
        String community,
        Level state,
        double loadW,
        @Nullable Double capacityW,
        @Nullable Double loadShare,
        PriceLevel priceLevel,
        @Nullable BigDecimal price,
        List<String> activeEvents,
        List<String> reasons) {

    /** The grid states. */
    public enum Level {
        NORMAL,
        PEAK,
        CRITICAL
    }

    /** The current price against the day's average. */
    public enum PriceLevel {
        LOW,
        NORMAL,
        HIGH,
        UNKNOWN
    }
}
