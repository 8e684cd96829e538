package io.meterbase.core.query;

import io.meterbase.core.ingest.LiveState;
import io.meterbase.core.model.Category;
import io.meterbase.core.model.Channel;
import io.meterbase.core.model.Device;
import io.meterbase.core.model.Quantity;
import io.meterbase.core.model.Reading;
import io.meterbase.core.model.Site;
import io.meterbase.core.registry.Registry;
import io.meterbase.core.store.ReadingStore;
import io.meterbase.core.store.Rollup;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Consumption per period and group, and a customer's live summary. Which channels count for a device: its
 * consumption registers or intervals of the commodity if it has any, else (electricity) its active power
 * integrated. Where a customer has a main meter ({@link Category#MAIN}) only the main meters count for the
 * customer's totals, so appliances behind it are not counted twice.
 */
public final class ConsumptionService {

    /** Grouping of consumption. */
    public enum GroupBy {
        DEVICE,
        CATEGORY,
        SITE,
        TOTAL
    }

    /** Length of the periods. */
    public enum Interval {
        HOUR,
        DAY,
        MONTH
    }

    private final Registry registry;
    private final ReadingStore store;
    private final LiveState live;
    private final Clock clock;
    private final Duration liveStaleAfter;
    private final Map<Long, CachedFigure> todayCache = new java.util.concurrent.ConcurrentHashMap<>();

    public ConsumptionService(
            Registry registry, ReadingStore store, LiveState live, Clock clock, Duration liveStaleAfter) {
        this.registry = registry;
        this.store = store;
        this.live = live;
        this.clock = clock;
        this.liveStaleAfter = liveStaleAfter;
    }

    /** The channels whose consumption counts for the device, empty when it measures none of the commodity. */
    public List<Channel> consumptionChannels(Device device, Commodity commodity) {
        List<Channel> channels = registry.channels(device.id());
        List<Channel> amounts = channels.stream()
                .filter(c -> c.quantity() == commodity.quantity())
                .toList();
        if (!amounts.isEmpty() || commodity != Commodity.ELECTRICITY) {
            return amounts;
        }
        return powerChannels(channels);
    }

    /** The channels giving a device's active power: {@code active_power}, or else all its active power channels. */
    public List<Channel> powerChannels(Device device) {
        return powerChannels(registry.channels(device.id()));
    }

    /** A device's active power channel named {@code active_power}, or else all its active power channels. */
    private static List<Channel> powerChannels(List<Channel> channels) {
        List<Channel> power = channels.stream()
                .filter(c -> c.quantity() == Quantity.ACTIVE_POWER)
                .toList();
        return power.stream()
                .filter(c -> c.name().equals("active_power"))
                .findFirst()
                .map(List::of)
                .orElse(power);
    }

    /**
     * Consumption of the devices in {@code [from, to)}, per period and group, oldest period first. Generators and
     * batteries use nothing (what they give is in the {@link EnergyBalance}); totals per customer or site count a
     * customer's main meters only where it has any among the devices, so appliances behind them are not counted
     * twice.
     */
    public List<EnergyPoint> consumption(
            Collection<Device> devices, Commodity commodity, Interval interval, GroupBy groupBy, long from, long to) {
        // per device, every device shows its own figure; in totals, generators and batteries use nothing
        List<Device> consumers = groupBy == GroupBy.DEVICE
                ? List.copyOf(devices)
                : devices.stream()
                        .filter(d -> !d.category().generates() && !d.category().stores())
                        .toList();
        if (groupBy == GroupBy.TOTAL || groupBy == GroupBy.SITE) {
            // a site whose main meter measures the commodity counts that meter only, not the appliances behind it
            java.util.Set<Long> metered = new java.util.HashSet<>();
            for (Device d : consumers) {
                if (d.category() == Category.MAIN
                        && !consumptionChannels(d, commodity).isEmpty()) {
                    metered.add(d.siteId());
                }
            }
            consumers = consumers.stream()
                    .filter(d -> !metered.contains(d.siteId()) || d.category() == Category.MAIN)
                    .toList();
        }
        Map<Integer, Device> owner = new HashMap<>();
        for (Device d : consumers) {
            for (Channel c : consumptionChannels(d, commodity)) {
                owner.put(c.id(), d);
            }
        }
        if (owner.isEmpty()) {
            return List.of();
        }
        List<Rollup> rollups = interval == Interval.HOUR
                ? store.hourly(owner.keySet(), from, to)
                : store.daily(owner.keySet(), from, to);
        Map<String, Map<Long, EnergyPoint>> sums = new TreeMap<>();
        for (Rollup r : rollups) {
            if (!r.hasEnergy()) {
                continue;
            }
            Device d = Objects.requireNonNull(owner.get(r.channelId()), "rollups are read for these channels only");
            long period = interval == Interval.MONTH ? monthStart(r.start(), zone(d)) : r.start();
            String group = group(d, groupBy);
            sums.computeIfAbsent(group, k -> new TreeMap<>())
                    .merge(
                            period,
                            new EnergyPoint(group, period, r.energy(), r.estimated(), r.gapMillis()),
                            (a, b) -> new EnergyPoint(
                                    group,
                                    period,
                                    a.amount() + b.amount(),
                                    a.estimated() + b.estimated(),
                                    a.gapMillis() + b.gapMillis()));
        }
        List<EnergyPoint> points = new ArrayList<>();
        sums.values().forEach(periods -> points.addAll(periods.values()));
        points.sort((a, b) -> a.periodStart() != b.periodStart()
                ? Long.compare(a.periodStart(), b.periodStart())
                : a.group().compareTo(b.group()));
        return points;
    }

    /** The customer's live power (W) and electricity consumed today (Wh) in the site's time zone. */
    public CustomerSummary summary(long customerId) {
        List<Device> counted = countedDevices(customerId);
        long now = clock.millis();
        LivePower p = livePower(counted, now);
        return new CustomerSummary(p.watts(), energyToday(customerId, counted, now), p.newest());
    }

    /** The customer's live power (W): the sum of the fresh power readings of the counted devices. */
    public double livePower(long customerId) {
        return livePower(countedDevices(customerId), clock.millis()).watts();
    }

    private record LivePower(double watts, @Nullable Instant newest) {}

    private LivePower livePower(List<Device> counted, long now) {
        long freshAfter = now - liveStaleAfter.toMillis();
        double power = 0;
        Instant newest = null;
        for (Device d : counted) {
            for (Channel c : powerChannels(registry.channels(d.id()))) {
                Reading r = live.latest(c.id()).orElse(null);
                if (r != null && r.timestamp() >= freshAfter) {
                    power += r.value();
                    Instant at = Instant.ofEpochMilli(r.timestamp());
                    newest = newest == null || at.isAfter(newest) ? at : newest;
                }
            }
        }
        return new LivePower(power, newest);
    }

    /**
     * Electricity consumed today in the customer's time zone, from the daily rollups. Rollups change at most once
     * per rollup interval, so the figure is kept for a second per customer: a gateway answer does not cost a
     * store query each time.
     */
    private double energyToday(long customerId, List<Device> counted, long now) {
        CachedFigure cached = todayCache.get(customerId);
        if (cached != null && now - cached.at() < 1000 && now >= cached.at()) {
            return cached.value();
        }
        ZoneId zone =
                registry.sites(customerId).stream().findFirst().map(Site::zone).orElse(ZoneId.of("UTC"));
        LocalDate today = Instant.ofEpochMilli(now).atZone(zone).toLocalDate();
        long dayStart = today.atStartOfDay(zone).toInstant().toEpochMilli();
        double value =
                consumption(counted, Commodity.ELECTRICITY, Interval.DAY, GroupBy.TOTAL, dayStart, dayStart + 1)
                        .stream()
                        .mapToDouble(EnergyPoint::amount)
                        .sum();
        todayCache.put(customerId, new CachedFigure(now, value));
        return value;
    }

    private record CachedFigure(long at, double value) {}

    /**
     * The devices whose consumption makes the customer's total: the main meters when the customer has any (their
     * import: what the home takes from the grid), else every device that uses energy (generators and batteries give
     * energy back: they are in the {@link EnergyBalance}, not in the consumption).
     */
    public List<Device> countedDevices(long customerId) {
        return countedDevices(customerId, Commodity.ELECTRICITY);
    }

    /**
     * The devices whose consumption of the commodity makes the customer's total, site by site: a site's main meters
     * of the commodity where it has any, else its devices that use energy (an electricity main meter says nothing
     * of the water behind it).
     */
    public List<Device> countedDevices(long customerId, Commodity commodity) {
        List<Device> all = registry.devices(customerId).stream()
                .filter(d -> !d.category().generates() && !d.category().stores())
                .toList();
        java.util.Set<Long> metered = new java.util.HashSet<>();
        for (Device d : all) {
            if (d.category() == Category.MAIN
                    && !consumptionChannels(d, commodity).isEmpty()) {
                metered.add(d.siteId());
            }
        }
        return all.stream()
                .filter(d -> !metered.contains(d.siteId()) || d.category() == Category.MAIN)
                .toList();
    }

    private String group(Device d, GroupBy groupBy) {
        return switch (groupBy) {
            case DEVICE -> d.ref();
            case CATEGORY -> d.category().name().toLowerCase(Locale.ROOT);
            case SITE -> registry.site(d.siteId()).map(Site::name).orElse(String.valueOf(d.siteId()));
            case TOTAL -> "total";
        };
    }

    private ZoneId zone(Device d) {
        return registry.site(d.siteId()).map(Site::zone).orElse(ZoneId.of("UTC"));
    }

    private static long monthStart(long timestamp, ZoneId zone) {
        ZonedDateTime t = Instant.ofEpochMilli(timestamp).atZone(zone);
        return t.toLocalDate().withDayOfMonth(1).atStartOfDay(zone).toInstant().toEpochMilli();
    }
}
