package io.meterbase.core.api.tariff;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** Tariffs and their posted prices. Invalid input is an {@link IllegalArgumentException} saying what is wrong. */
public interface TariffsApi {

    /**
     * What a tariff's id ends with to name its posted export prices (dynamic feed-in): {@code <id>:export} (tariff
     * ids hold no ':').
     */
    String EXPORT = ":export";

    /** Saves a tariff, replacing the one with its id. */
    Tariff put(Tariff tariff);

    /** Adds a version to a tariff (or replaces the one taking effect on the same date). */
    Tariff addVersion(String tariffId, TariffVersion version);

    Optional<Tariff> get(String id);

    Collection<Tariff> all();

    /** Posts prices of a dynamic tariff; returns how many were stored. */
    int postPrices(String tariffId, List<PricePoint> points);

    /** The posted prices of a tariff in {@code [from, to)}. */
    List<PricePoint> prices(String tariffId, Instant from, Instant to);
}
