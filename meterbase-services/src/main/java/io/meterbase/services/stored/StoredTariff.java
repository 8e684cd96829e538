package io.meterbase.services.stored;

import io.meterbase.core.api.tariff.ControlledLoad;
import io.meterbase.core.api.tariff.ExportTerms;
import io.meterbase.core.api.tariff.Pricing;
import io.meterbase.core.api.tariff.Tariff;
import io.meterbase.core.api.tariff.TariffVersion;
import io.meterbase.core.api.tariff.Tier;
import io.meterbase.core.api.tariff.TouPeriod;
import io.meterbase.core.query.Commodity;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** A tariff as stored: its versions, each with its periods, holidays and tiers. */
public record StoredTariff(
        String id, String name, Commodity commodity, String group, String currency, List<Version> versions) {

    public record Version(
            LocalDate effectiveFrom,
            Pricing pricing,
            @Nullable BigDecimal price,
            @Nullable List<Period> periods,
            @Nullable Set<LocalDate> holidays,
            @Nullable List<Step> tiers,
            Integer billingDay,
            BigDecimal standingChargePerDay,
            // what the customer is paid for export; versions without it are stored as before
            @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
            @Nullable
            ExportTerms export,

            @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
            @Nullable
            ControlledLoad controlledLoad) {}

    public record Period(String name, Set<String> days, LocalTime from, LocalTime to, BigDecimal price) {}

    public record Step(@Nullable BigDecimal upTo, BigDecimal price) {}

    public static StoredTariff of(Tariff t) {
        return new StoredTariff(
                t.id(),
                t.name(),
                t.commodity(),
                t.group(),
                t.currency(),
                t.versions().stream().map(StoredTariff::of).toList());
    }

    private static Version of(TariffVersion v) {
        return new Version(
                v.effectiveFrom(),
                v.pricing(),
                v.price(),
                v.periods().stream()
                        .map(p -> new Period(p.name(), p.days(), p.from(), p.to(), p.price()))
                        .toList(),
                v.holidays(),
                v.tiers().stream().map(s -> new Step(s.upTo(), s.price())).toList(),
                v.billingDay(),
                v.standingChargePerDay(),
                v.export(),
                v.controlledLoad());
    }

    /** The tariff; a stored document that no longer passes the tariff's checks is an IllegalArgumentException. */
    public Tariff toApi() {
        return new Tariff(
                id,
                name,
                commodity,
                group,
                currency,
                versions.stream().map(StoredTariff::toApi).toList());
    }

    private static TariffVersion toApi(Version v) {
        return new TariffVersion(
                v.effectiveFrom(),
                v.pricing(),
                v.price(),
                v.periods() == null
                        ? List.of()
                        : v.periods().stream()
                                .map(p -> new TouPeriod(p.name(), p.days(), p.from(), p.to(), p.price()))
                                .toList(),
                v.holidays() == null ? Set.of() : v.holidays(),
                v.tiers() == null
                        ? List.of()
                        : v.tiers().stream()
                                .map(s -> new Tier(s.upTo(), s.price()))
                                .toList(),
                v.billingDay(),
                v.standingChargePerDay(),
                v.export(),
                v.controlledLoad());
    }
}
