package io.meterbase.services.community;

import io.meterbase.core.api.community.Metric;
import io.meterbase.core.ingest.LiveState;
import io.meterbase.core.model.Channel;
import io.meterbase.core.model.Customer;
import io.meterbase.core.model.Device;
import io.meterbase.core.model.Reading;
import io.meterbase.core.model.Site;
import io.meterbase.core.query.Commodity;
import io.meterbase.core.query.ConsumptionService;
import io.meterbase.core.query.CustomerSummary;
import io.meterbase.core.registry.Registry;
import io.meterbase.core.store.ReadingStore;
import io.meterbase.core.store.Rollup;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps {@link CommunityStats} up to date: a customer's live power after each durable batch that touched it
 * ({@link #refreshPower()}, called every second or so), energy today and this month for every customer from the
 * daily rollups ({@link #refreshEnergy()}, one store query per time zone). A customer's community is its first
 * site's community (the area or feeder the utility sets); customers without one are not compared.
 */
public final class CommunityFeeder {

    private static final Logger LOG = LoggerFactory.getLogger(CommunityFeeder.class);

    private final Registry registry;
    private final ConsumptionService consumption;
    private final ReadingStore store;
    private final CommunityStats stats;
    private final Clock clock;
    private final Set<Long> dirty = ConcurrentHashMap.newKeySet();

    public CommunityFeeder(
            Registry registry,
            ConsumptionService consumption,
            ReadingStore store,
            LiveState live,
            CommunityStats stats,
            Clock clock) {
        this.registry = registry;
        this.consumption = consumption;
        this.store = store;
        this.stats = stats;
        this.clock = clock;
        live.subscribe(this::onDurable);
    }

    /** On the writer thread: only notes which customers changed. */
    private void onDurable(List<Reading> readings) {
        int lastChannel = -1;
        for (Reading r : readings) {
            if (r.channelId() == lastChannel) {
                continue;
            }
            lastChannel = r.channelId();
            registry.channel(r.channelId())
                    .flatMap(c -> registry.device(c.deviceId()))
                    .ifPresent(d -> dirty.add(d.customerId()));
        }
    }

    /** The community a customer is compared in, if any. */
    public Optional<String> communityOf(long customerId) {
        return registry.sites(customerId).stream()
                .map(Site::community)
                .filter(c -> c != null && !c.isBlank())
                .findFirst();
    }

    /**
     * Takes a customer's figures of this moment (after an upload, say) into the comparisons at once: power and
     * energy today. The periodic refreshes do the same for everyone; this keeps a customer who just sent readings
     * from being compared with what the last refresh saw (nothing at all, for a new customer).
     */
    public void noteFigures(long customerId, CustomerSummary figures) {
        Optional<String> community = communityOf(customerId);
        if (community.isEmpty()) {
            return;
        }
        stats.update(customerId, community.get(), Metric.POWER, figures.powerW());
        stats.update(customerId, community.get(), Metric.ENERGY_TODAY, figures.energyTodayWh());
    }

    /** Updates the live power of the customers with new readings. */
    public void refreshPower() {
        List<Long> todo = new ArrayList<>(dirty);
        dirty.removeAll(todo);
        for (long customerId : todo) {
            updatePower(customerId);
        }
    }

    private void updatePower(long customerId) {
        Optional<String> community = communityOf(customerId);
        if (community.isEmpty()) {
            stats.remove(customerId);
            return;
        }
        stats.update(customerId, community.get(), Metric.POWER, consumption.livePower(customerId));
    }

    /** Recomputes every customer's energy today and this month, and lets stale live power fall to zero. */
    public void refreshEnergy() {
        long started = System.nanoTime();
        Map<ZoneId, List<Customer>> byZone = new HashMap<>();
        for (Customer c : registry.customers()) {
            if (communityOf(c.id()).isPresent()) {
                ZoneId zone = registry.sites(c.id()).get(0).zone();
                byZone.computeIfAbsent(zone, z -> new ArrayList<>()).add(c);
            } else {
                stats.remove(c.id());
            }
        }
        byZone.forEach(this::refreshZone);
        LOG.debug("Community figures refreshed in {} ms", (System.nanoTime() - started) / 1_000_000);
    }

    private void refreshZone(ZoneId zone, List<Customer> customers) {
        LocalDate today = LocalDate.ofInstant(clock.instant(), zone);
        long dayStart = today.atStartOfDay(zone).toInstant().toEpochMilli();
        long monthStart = today.withDayOfMonth(1).atStartOfDay(zone).toInstant().toEpochMilli();
        Map<Integer, Long> owner = new HashMap<>();
        for (Customer c : customers) {
            for (Device d : consumption.countedDevices(c.id())) {
                for (Channel ch : consumption.consumptionChannels(d, Commodity.ELECTRICITY)) {
                    owner.put(ch.id(), c.id());
                }
            }
        }
        Map<Long, double[]> sums = new HashMap<>();
        if (!owner.isEmpty()) {
            for (Rollup r : store.daily(owner.keySet(), monthStart, dayStart + 1)) {
                if (r.hasEnergy()) {
                    double[] s = sums.computeIfAbsent(owner.get(r.channelId()), k -> new double[2]);
                    s[1] += r.energy();
                    if (r.start() >= dayStart) {
                        s[0] += r.energy();
                    }
                }
            }
        }
        for (Customer c : customers) {
            String community = communityOf(c.id()).orElseThrow();
            double[] s = sums.getOrDefault(c.id(), new double[2]);
            stats.update(c.id(), community, Metric.ENERGY_TODAY, s[0]);
            stats.update(c.id(), community, Metric.ENERGY_MONTH, s[1]);
            updatePower(c.id());
        }
        refreshOther(customers, Commodity.WATER, Metric.WATER_MONTH, monthStart, dayStart + 1);
        refreshOther(customers, Commodity.GAS, Metric.GAS_MONTH, monthStart, dayStart + 1);
        refreshOther(customers, Commodity.HEAT, Metric.HEAT_MONTH, monthStart, dayStart + 1);
    }

    /**
     * This month's water, gas or heat: compared among the customers that have a meter of it (a customer without a
     * water meter is not one who uses no water).
     */
    private void refreshOther(List<Customer> customers, Commodity commodity, Metric metric, long from, long to) {
        Map<Integer, Long> owner = new HashMap<>();
        for (Customer c : customers) {
            for (Device d : consumption.countedDevices(c.id(), commodity)) {
                for (Channel ch : consumption.consumptionChannels(d, commodity)) {
                    owner.put(ch.id(), c.id());
                }
            }
        }
        if (owner.isEmpty()) {
            return;
        }
        Map<Long, Double> sums = new HashMap<>();
        for (Rollup r : store.daily(owner.keySet(), from, to)) {
            if (r.hasEnergy()) {
                sums.merge(owner.get(r.channelId()), r.energy(), Double::sum);
            }
        }
        java.util.Set<Long> metered = new java.util.HashSet<>(owner.values());
        for (Customer c : customers) {
            if (metered.contains(c.id())) {
                stats.update(c.id(), communityOf(c.id()).orElseThrow(), metric, sums.getOrDefault(c.id(), 0.0));
            }
        }
    }
}
