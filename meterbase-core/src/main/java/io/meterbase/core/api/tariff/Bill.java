package io.meterbase.core.api.tariff;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The cost of a customer's consumption of one commodity in {@code [from, to)}: line items (energy per price and
 * standing charges), the total (the sum of the rounded lines), and the energy cost spread over devices and
 * categories. {@code uncosted} is consumption (in the billing unit) before the tariff's first version.
 * {@code estimatedConsumption} is the part of {@code consumption} that was estimated, and {@code estimated} the
 * hours it lies in (with the hours in which nothing was received), as consecutive periods.
 */
public record Bill(
        long customerId,
        String commodity,
        String tariffId,
        String currency,
        Instant from,
        Instant to,
        List<LineItem> lines,
        BigDecimal total,
        BigDecimal consumption,
        String unit,
        BigDecimal uncosted,
        Map<String, BigDecimal> byDevice,
        Map<String, BigDecimal> byCategory,
        BigDecimal estimatedConsumption,
        List<EstimatedPeriod> estimated) {}
