package io.meterbase.core.query;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * What a customer consumes now: live power in W (sum of fresh readings), electricity today in Wh, and the time of
 * the newest reading that counted (null when none is fresh).
 */
public record CustomerSummary(
        double powerW, double energyTodayWh, @Nullable Instant asOf) {}
