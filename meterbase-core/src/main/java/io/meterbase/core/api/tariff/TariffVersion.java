package io.meterbase.core.api.tariff;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The terms of a tariff from {@code effectiveFrom} (a local date in the customer's time zone) until the next
 * version. {@code price} is the flat price, the price outside every time-of-use period, or the price of hours with
 * no posted dynamic price. {@code billingDay} is the day of the month a billing period starts (1–28).
 * {@code export}: what the customer is paid for energy sent to the grid (none: export is not credited).
 * {@code controlledLoad}: a circuit priced apart (none: every appliance at the general price).
 */
public record TariffVersion(
        LocalDate effectiveFrom,
        Pricing pricing,
        @Nullable BigDecimal price,
        List<TouPeriod> periods,
        Set<LocalDate> holidays,
        List<Tier> tiers,
        Integer billingDay,
        BigDecimal standingChargePerDay,
        @Nullable ExportTerms export,
        @Nullable ControlledLoad controlledLoad) {

    /** Terms with export credit and no controlled load. */
    public TariffVersion(
            LocalDate effectiveFrom,
            Pricing pricing,
            @Nullable BigDecimal price,
            List<TouPeriod> periods,
            Set<LocalDate> holidays,
            List<Tier> tiers,
            Integer billingDay,
            BigDecimal standingChargePerDay,
            @Nullable ExportTerms export) {
        this(effectiveFrom, pricing, price, periods, holidays, tiers, billingDay, standingChargePerDay, export, null);
    }

    /** Terms without export credit. */
    public TariffVersion(
            LocalDate effectiveFrom,
            Pricing pricing,
            @Nullable BigDecimal price,
            List<TouPeriod> periods,
            Set<LocalDate> holidays,
            List<Tier> tiers,
            Integer billingDay,
            BigDecimal standingChargePerDay) {
        this(effectiveFrom, pricing, price, periods, holidays, tiers, billingDay, standingChargePerDay, null, null);
    }

    public TariffVersion {
        if (effectiveFrom == null) {
            throw new IllegalArgumentException("a tariff version needs effective_from (a date)");
        }
        if (pricing == null) {
            throw new IllegalArgumentException("a tariff version needs pricing: flat, time_of_use, tiered or dynamic");
        }
        periods = periods == null ? List.of() : List.copyOf(periods);
        holidays = holidays == null ? Set.of() : Set.copyOf(holidays);
        tiers = tiers == null ? List.of() : List.copyOf(tiers);
        billingDay = billingDay == null ? 1 : billingDay;
        standingChargePerDay = standingChargePerDay == null ? BigDecimal.ZERO : standingChargePerDay;
        if (billingDay < 1 || billingDay > 28) {
            throw new IllegalArgumentException("billing_day must be 1-28, was " + billingDay);
        }
        Tariff.requirePrice(standingChargePerDay, "standing_charge_per_day", false);
        switch (pricing) {
            case FLAT, DYNAMIC -> Tariff.requirePrice(price, "price", false);
            case TIME_OF_USE -> {
                Tariff.requirePrice(price, "price (outside the periods)", false);
                if (periods.isEmpty()) {
                    throw new IllegalArgumentException("time_of_use pricing needs periods");
                }
            }
            case TIERED -> {
                if (tiers.isEmpty() || tiers.get(tiers.size() - 1).upTo() != null) {
                    throw new IllegalArgumentException("tiered pricing needs tiers, the last without up_to");
                }
                for (int i = 1; i < tiers.size() - 1; i++) {
                    BigDecimal upTo = tiers.get(i).upTo();
                    BigDecimal below = tiers.get(i - 1).upTo();
                    if (upTo != null && below != null && upTo.compareTo(below) <= 0) {
                        throw new IllegalArgumentException("tiers must be in rising order of up_to");
                    }
                }
                for (int i = 0; i < tiers.size() - 1; i++) {
                    if (tiers.get(i).upTo() == null) {
                        throw new IllegalArgumentException("only the last tier may be open (no up_to)");
                    }
                }
            }
        }
    }

    /** The price of flat and dynamic versions, and of time-of-use hours outside every period. */
    public BigDecimal unitPrice() {
        if (price == null) {
            throw new IllegalStateException(pricing + " pricing has no single unit price");
        }
        return price;
    }

    /** The time-of-use period in force at a local time, empty outside every period. */
    public Optional<TouPeriod> period(LocalDate date, LocalTime time) {
        String kind = TouPeriod.dayKind(date.getDayOfWeek(), holidays.contains(date));
        for (TouPeriod p : periods) {
            if (p.covers(kind, time)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** The first day of the billing period that contains {@code date}. */
    public LocalDate billingPeriodStart(LocalDate date) {
        LocalDate start = date.withDayOfMonth(billingDay);
        return start.isAfter(date) ? start.minusMonths(1) : start;
    }
}
