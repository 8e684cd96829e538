package io.meterbase.core.api.tariff;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What a prosumer is paid for the energy they send to the grid, under a tariff version.
 *
 * <ul>
 *   <li>{@code net_billing} (the default): export is priced on its own, hour by hour, at a feed-in price that is
 *       {@code flat}, {@code time_of_use} ({@code periods}, {@code price} outside them) or {@code dynamic} (prices
 *       posted for the tariff's export, {@code price} where none is posted); the bill credits it line by line.
 *   <li>{@code net_metering}: within each billing period, the energy exported offsets the energy imported, kWh for
 *       kWh, at the period's average import price; what is left over is carried to the next period as a credit in
 *       kWh. Once a year, at the end of the billing period that starts in {@code trueUpMonth}, the credit still left
 *       is paid at {@code trueUpPrice} per kWh (0: forfeited) and the count starts again. Without a true-up month
 *       the credit is carried on.
 * </ul>
 */
public record ExportTerms(
        ExportScheme scheme,
        Pricing pricing,
        @Nullable BigDecimal price,
        List<TouPeriod> periods,
        Set<LocalDate> holidays,
        @Nullable Integer trueUpMonth,
        @Nullable BigDecimal trueUpPrice) {

    /** How exported energy is credited. */
    public enum ExportScheme {
        NET_BILLING,
        NET_METERING
    }

    public ExportTerms {
        scheme = scheme == null ? ExportScheme.NET_BILLING : scheme;
        pricing = pricing == null ? Pricing.FLAT : pricing;
        periods = periods == null ? List.of() : List.copyOf(periods);
        holidays = holidays == null ? Set.of() : Set.copyOf(holidays);
        if (scheme == ExportScheme.NET_BILLING) {
            if (pricing == Pricing.TIERED) {
                throw new IllegalArgumentException("export pricing is flat, time_of_use or dynamic, not tiered");
            }
            Tariff.requirePrice(price, "export price", false);
            if (pricing == Pricing.TIME_OF_USE && periods.isEmpty()) {
                throw new IllegalArgumentException("time_of_use export pricing needs periods");
            }
        } else {
            if (trueUpMonth != null && (trueUpMonth < 1 || trueUpMonth > 12)) {
                throw new IllegalArgumentException("true_up_month must be 1-12, was " + trueUpMonth);
            }
            trueUpPrice = trueUpPrice == null ? BigDecimal.ZERO : trueUpPrice;
            Tariff.requirePrice(trueUpPrice, "true_up_price", false);
        }
    }

    /** The export period in force at a local time (time-of-use export pricing), empty outside every period. */
    public Optional<TouPeriod> period(LocalDate date, LocalTime time) {
        String kind = TouPeriod.dayKind(date.getDayOfWeek(), holidays().contains(date));
        for (TouPeriod p : periods()) {
            if (p.covers(kind, time)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
