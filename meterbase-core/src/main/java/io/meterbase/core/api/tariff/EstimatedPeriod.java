package io.meterbase.core.api.tariff;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * Consecutive hours of a bill whose consumption was not all measured: {@code estimated} (in the billing unit) was
 * apportioned from meter reads further apart than an hour; for {@code unknownMinutes} nothing was received, so
 * nothing is billed for that time.
 */
public record EstimatedPeriod(Instant from, Instant to, BigDecimal estimated, long unknownMinutes) {}
