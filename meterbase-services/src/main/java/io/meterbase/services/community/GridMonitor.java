package io.meterbase.services.community;

import io.meterbase.core.api.community.CommunitySettings;
import io.meterbase.core.api.community.GridApi;
import io.meterbase.core.api.community.GridState;
import io.meterbase.core.api.community.Metric;
import io.meterbase.core.query.Commodity;
import io.meterbase.core.store.DocumentCache;
import io.meterbase.core.store.DocumentStore;
import io.meterbase.core.store.StoreChanges;
import io.meterbase.services.json.ControlJson;
import io.meterbase.services.stored.StoredCommunity;
import io.meterbase.services.tariff.Biller;
import io.meterbase.services.tariff.CustomerGroups;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The grid state of each community from its live total load against the configured capacity, its active
 * demand-response events and the electricity price level (the default group's price now against its average
 * over the day). Thread-safe.
 */
public final class GridMonitor implements GridApi {

    private static final String KIND = "community";

    private final DocumentStore store;
    private final CommunityStats stats;
    private final Biller biller;
    private final Function<String, List<String>> activeEvents;
    private final Function<String, ZoneId> zoneOf;
    private final Clock clock;
    private final Map<String, CommunitySettings> settings = new ConcurrentHashMap<>();

    public GridMonitor(
            DocumentStore store,
            CommunityStats stats,
            Biller biller,
            Function<String, List<String>> activeEvents,
            Function<String, ZoneId> zoneOf,
            Clock clock) {
        this.store = store;
        this.stats = stats;
        this.biller = biller;
        this.activeEvents = activeEvents;
        this.zoneOf = zoneOf;
        this.clock = clock;
        store.documents(KIND).values().forEach(json -> {
            CommunitySettings s = ControlJson.read(json, StoredCommunity.class).toApi();
            settings.put(s.community(), s);
        });
    }

    /** Takes in the community settings other nodes sharing the store changed. */
    public void refresh(StoreChanges changes) {
        DocumentCache.refresh(
                store,
                KIND,
                changes,
                settings.keySet(),
                (id, json) -> settings.put(
                        id, ControlJson.read(json, StoredCommunity.class).toApi()),
                settings::remove);
    }

    public CommunitySettings configure(CommunitySettings s) {
        store.saveDocument(KIND, s.community(), ControlJson.write(StoredCommunity.of(s)));
        settings.put(s.community(), s);
        return s;
    }

    public Optional<CommunitySettings> settings(String community) {
        return Optional.ofNullable(settings.get(community));
    }

    public GridState state(String community) {
        CommunitySettings s = settings.getOrDefault(community, new CommunitySettings(community, null, null, null));
        double load = stats.totals(community, Metric.POWER).sum();
        List<String> reasons = new ArrayList<>();
        GridState.Level level = GridState.Level.NORMAL;
        Double capacityW = s.capacityKw() == null ? null : s.capacityKw() * 1000;
        Double share = capacityW == null ? null : load / capacityW;
        if (share != null && share >= s.criticalShare()) {
            level = GridState.Level.CRITICAL;
            reasons.add(String.format("load at %.0f%% of capacity", share * 100));
        } else if (share != null && share >= s.peakShare()) {
            level = GridState.Level.PEAK;
            reasons.add(String.format("load at %.0f%% of capacity", share * 100));
        }
        List<String> events = activeEvents.apply(community);
        if (!events.isEmpty() && level == GridState.Level.NORMAL) {
            level = GridState.Level.PEAK;
            reasons.add("demand-response event in progress");
        }
        ZonedDateTime now = clock.instant().atZone(zoneOf.apply(community));
        Optional<BigDecimal> price = biller.priceAt(Commodity.ELECTRICITY, CustomerGroups.DEFAULT, now);
        GridState.PriceLevel priceLevel = price.map(p -> priceLevel(p, now)).orElse(GridState.PriceLevel.UNKNOWN);
        if (priceLevel == GridState.PriceLevel.HIGH && level == GridState.Level.NORMAL) {
            level = GridState.Level.PEAK;
            reasons.add("price above the day's average");
        }
        return new GridState(community, level, load, capacityW, share, priceLevel, price.orElse(null), events, reasons);
    }

    /** HIGH at 20% or more above the day's mean hourly price, LOW at 20% or more below it. */
    private GridState.PriceLevel priceLevel(BigDecimal price, ZonedDateTime now) {
        LocalDate day = now.toLocalDate();
        BigDecimal sum = BigDecimal.ZERO;
        int hours = 0;
        for (ZonedDateTime h = day.atStartOfDay(now.getZone()); h.toLocalDate().equals(day); h = h.plusHours(1)) {
            Optional<BigDecimal> p = biller.priceAt(Commodity.ELECTRICITY, CustomerGroups.DEFAULT, h);
            if (p.isPresent()) {
                sum = sum.add(p.get());
                hours++;
            }
        }
        if (hours == 0 || sum.signum() <= 0) {
            return GridState.PriceLevel.NORMAL;
        }
        BigDecimal mean = sum.divide(BigDecimal.valueOf(hours), MathContext.DECIMAL64);
        double ratio = price.divide(mean, MathContext.DECIMAL64).doubleValue();
        return ratio >= 1.2
                ? GridState.PriceLevel.HIGH
                : ratio <= 0.8 ? GridState.PriceLevel.LOW : GridState.PriceLevel.NORMAL;
    }
}
