package io.meterbase.core.api.tariff;

import io.meterbase.core.query.Commodity;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What a utility charges a customer group for a commodity, as versions with effective dates: consumption is
 * always costed with the version in force at the time it was consumed. Prices are per kWh for electricity and per
 * m³ for water and gas, in {@code currency}.
 */
public record Tariff(
        String id, String name, Commodity commodity, String group, String currency, List<TariffVersion> versions) {

    /** The group of customers a tariff is for when it names none, and of every customer not put in a group. */
    public static final String DEFAULT_GROUP = "default";

    public Tariff {
        if (id == null || !id.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("a tariff id is 1-64 letters, digits or . _ -");
        }
        if (commodity == null) {
            throw new IllegalArgumentException("a tariff needs a commodity: electricity, water, gas, heat or cooling");
        }
        group = group == null || group.isBlank() ? DEFAULT_GROUP : group;
        if (currency == null || !currency.matches("[A-Z]{3}")) {
            throw new IllegalArgumentException("currency must be an ISO 4217 code such as EUR");
        }
        if (versions == null || versions.isEmpty()) {
            throw new IllegalArgumentException("a tariff needs at least one version");
        }
        List<TariffVersion> sorted = new ArrayList<>(versions);
        sorted.sort(Comparator.comparing(TariffVersion::effectiveFrom));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).effectiveFrom().equals(sorted.get(i - 1).effectiveFrom())) {
                throw new IllegalArgumentException(
                        "two versions take effect on " + sorted.get(i).effectiveFrom());
            }
        }
        versions = List.copyOf(sorted);
        name = name == null ? id : name;
    }

    /** The version in force on a local date, empty before the first version. */
    public Optional<TariffVersion> versionOn(LocalDate date) {
        TariffVersion found = null;
        for (TariffVersion v : versions) {
            if (!v.effectiveFrom().isAfter(date)) {
                found = v;
            }
        }
        return Optional.ofNullable(found);
    }

    /** The unit prices refer to. */
    public String billingUnit() {
        return switch (commodity) {
            case ELECTRICITY, HEAT, COOLING -> "kWh";
            case WATER, GAS -> "m3";
        };
    }

    /** How many of the commodity's stored units (Wh, L, m³) make one billing unit. */
    public double unitsPerBillingUnit() {
        return switch (commodity) {
            case ELECTRICITY, WATER, HEAT, COOLING -> 1000.0;
            case GAS -> 1.0;
        };
    }

    public static void requirePrice(@Nullable BigDecimal price, String what, boolean mayBeNegative) {
        if (price == null) {
            throw new IllegalArgumentException(what + " is required");
        }
        if (!mayBeNegative && price.signum() < 0) {
            throw new IllegalArgumentException(what + " must not be negative");
        }
    }
}
