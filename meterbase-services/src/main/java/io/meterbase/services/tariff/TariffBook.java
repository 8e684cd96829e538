package io.meterbase.services.tariff;

import com.fasterxml.jackson.core.type.TypeReference;
import io.meterbase.core.api.tariff.PricePoint;
import io.meterbase.core.api.tariff.Tariff;
import io.meterbase.core.api.tariff.TariffVersion;
import io.meterbase.core.api.tariff.TariffsApi;
import io.meterbase.core.query.Commodity;
import io.meterbase.core.store.DocumentCache;
import io.meterbase.core.store.DocumentStore;
import io.meterbase.core.store.StoreChanges;
import io.meterbase.services.json.ControlJson;
import io.meterbase.services.stored.StoredPrice;
import io.meterbase.services.stored.StoredTariff;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tariffs and their dynamic price series, kept in the store. One tariff per commodity and customer group;
 * customers of a group without its own tariff pay the {@code default} group's. Thread-safe.
 */
public final class TariffBook implements TariffsApi {

    private static final String TARIFFS = "tariff";
    private static final String PRICES = "prices";
    private static final long MAX_PRICE_VALIDITY = Duration.ofDays(1).toMillis();
    private static final TypeReference<List<StoredPrice>> POINTS = new TypeReference<>() {};

    private final DocumentStore store;
    private final Map<String, Tariff> tariffs = new ConcurrentHashMap<>();
    private final Map<String, NavigableMap<Long, BigDecimal>> prices = new ConcurrentHashMap<>();

    public TariffBook(DocumentStore store) {
        this.store = store;
        store.documents(TARIFFS).values().forEach(json -> {
            Tariff t = ControlJson.read(json, StoredTariff.class).toApi();
            tariffs.put(t.id(), t);
        });
        store.documents(PRICES).forEach((key, json) -> {
            String tariffId = key.substring(0, key.lastIndexOf('/'));
            NavigableMap<Long, BigDecimal> series = prices.computeIfAbsent(tariffId, k -> new TreeMap<>());
            for (PricePoint p : readPoints(json)) {
                series.put(p.from().toEpochMilli(), p.price());
            }
        });
    }

    /** Takes in the tariffs and price series other nodes sharing the store changed. */
    public synchronized void refresh(StoreChanges changes) {
        DocumentCache.refresh(
                store,
                TARIFFS,
                changes,
                tariffs.keySet(),
                (id, json) -> tariffs.put(
                        id, ControlJson.read(json, StoredTariff.class).toApi()),
                tariffs::remove);
        if (DocumentCache.touches(changes, PRICES)) {
            // a day's prices are part of their tariff's series: the series are read again whole
            Map<String, NavigableMap<Long, BigDecimal>> all = new java.util.HashMap<>();
            store.documents(PRICES).forEach((key, json) -> {
                NavigableMap<Long, BigDecimal> series =
                        all.computeIfAbsent(key.substring(0, key.lastIndexOf('/')), k -> new TreeMap<>());
                for (PricePoint p : readPoints(json)) {
                    series.put(p.from().toEpochMilli(), p.price());
                }
            });
            prices.keySet().retainAll(all.keySet());
            prices.putAll(all);
        }
    }

    /** Creates or replaces a tariff; refuses a second tariff for the same commodity and group. */
    public synchronized Tariff put(Tariff tariff) {
        for (Tariff other : tariffs.values()) {
            if (!other.id().equals(tariff.id())
                    && other.commodity() == tariff.commodity()
                    && other.group().equals(tariff.group())) {
                throw new IllegalArgumentException("tariff " + other.id() + " already prices "
                        + tariff.commodity().name().toLowerCase(java.util.Locale.ROOT) + " for group "
                        + tariff.group() + "; add a version to it instead");
            }
        }
        store.saveDocument(TARIFFS, tariff.id(), ControlJson.write(StoredTariff.of(tariff)));
        tariffs.put(tariff.id(), tariff);
        return tariff;
    }

    /** Adds a version to a tariff (or replaces the version taking effect on the same day). */
    public synchronized Tariff addVersion(String tariffId, TariffVersion version) {
        Tariff t = get(tariffId).orElseThrow(() -> new IllegalArgumentException("no tariff " + tariffId));
        List<TariffVersion> versions = new ArrayList<>(t.versions());
        versions.removeIf(v -> v.effectiveFrom().equals(version.effectiveFrom()));
        versions.add(version);
        return put(new Tariff(t.id(), t.name(), t.commodity(), t.group(), t.currency(), versions));
    }

    public Optional<Tariff> get(String id) {
        return Optional.ofNullable(tariffs.get(id));
    }

    public Collection<Tariff> all() {
        return List.copyOf(new TreeMap<>(tariffs).values());
    }

    /** The tariff of a commodity for a group, else the default group's. */
    public Optional<Tariff> forGroup(Commodity commodity, String group) {
        Tariff fallback = null;
        for (Tariff t : tariffs.values()) {
            if (t.commodity() == commodity) {
                if (t.group().equals(group)) {
                    return Optional.of(t);
                }
                if (t.group().equals(CustomerGroups.DEFAULT)) {
                    fallback = t;
                }
            }
        }
        return Optional.ofNullable(fallback);
    }

    /** Posts dynamic prices; a price at the same time as an earlier one replaces it. */
    public synchronized int postPrices(String tariffId, List<PricePoint> points) {
        String tariff = tariffId.endsWith(TariffsApi.EXPORT)
                ? tariffId.substring(0, tariffId.length() - TariffsApi.EXPORT.length())
                : tariffId;
        if (get(tariff).isEmpty()) {
            throw new IllegalArgumentException("no tariff " + tariff);
        }
        NavigableMap<Long, BigDecimal> series = prices.computeIfAbsent(tariffId, k -> new TreeMap<>());
        Map<LocalDate, List<PricePoint>> byDay = new TreeMap<>();
        for (PricePoint p : points) {
            byDay.computeIfAbsent(LocalDate.ofInstant(p.from(), ZoneOffset.UTC), d -> new ArrayList<>());
        }
        for (PricePoint p : points) {
            series.put(p.from().toEpochMilli(), p.price());
        }
        for (LocalDate day : byDay.keySet()) {
            long start = day.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
            List<PricePoint> ofDay = new ArrayList<>();
            series.subMap(start, start + MAX_PRICE_VALIDITY)
                    .forEach((t, price) -> ofDay.add(new PricePoint(Instant.ofEpochMilli(t), price)));
            store.saveDocument(PRICES, tariffId + "/" + day, ControlJson.write(StoredPrice.of(ofDay)));
        }
        return points.size();
    }

    /** The posted prices of a tariff in {@code [from, to)}. */
    public List<PricePoint> prices(String tariffId, Instant from, Instant to) {
        NavigableMap<Long, BigDecimal> series = prices.getOrDefault(tariffId, new TreeMap<>());
        List<PricePoint> out = new ArrayList<>();
        synchronized (this) {
            series.subMap(from.toEpochMilli(), to.toEpochMilli())
                    .forEach((t, p) -> out.add(new PricePoint(Instant.ofEpochMilli(t), p)));
        }
        return out;
    }

    /** The dynamic price posted for a moment: the newest point at or before it, if less than a day old. */
    public synchronized Optional<BigDecimal> postedPrice(String tariffId, long at) {
        NavigableMap<Long, BigDecimal> series = prices.get(tariffId);
        if (series == null) {
            return Optional.empty();
        }
        Map.Entry<Long, BigDecimal> e = series.floorEntry(at);
        return e == null || at - e.getKey() >= MAX_PRICE_VALIDITY ? Optional.empty() : Optional.of(e.getValue());
    }

    private static List<PricePoint> readPoints(String json) {
        try {
            return StoredPrice.toApi(ControlJson.MAPPER.readValue(json, POINTS));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a stored price series cannot be read: " + e.getOriginalMessage(), e);
        }
    }
}
