package io.meterbase.services.meters;

import com.fasterxml.jackson.core.type.TypeReference;
import io.meterbase.core.api.meters.MetersApi;
import io.meterbase.core.model.Customer;
import io.meterbase.core.model.Device;
import io.meterbase.core.model.Site;
import io.meterbase.core.query.Commodity;
import io.meterbase.core.query.ConsumptionService;
import io.meterbase.core.query.ConsumptionService.GroupBy;
import io.meterbase.core.query.ConsumptionService.Interval;
import io.meterbase.core.query.EnergyPoint;
import io.meterbase.core.registry.Registry;
import io.meterbase.core.store.DocumentStore;
import io.meterbase.services.alarm.AlarmService;
import io.meterbase.services.json.ControlJson;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link MetersApi} over the store's documents (sub-meters' parents, virtual meters, district balances) and the
 * consumption rollups. Nothing is cached: each answer reads what every node wrote. Thread-safe.
 */
public final class Meters implements MetersApi {

    static final String PARENTS = "meter-parents";
    static final String VIRTUAL = "virtual-meters";
    static final String BALANCES = "district-balances";
    private static final Logger LOG = LoggerFactory.getLogger(Meters.class);
    private static final TypeReference<Map<String, String>> STRINGS = new TypeReference<>() {};

    private final Registry registry;
    private final DocumentStore store;
    private final ConsumptionService consumption;
    private final io.meterbase.core.store.ReadingStore readings;
    private final AlarmService alarms;
    private final Clock clock;

    public Meters(
            Registry registry,
            DocumentStore store,
            ConsumptionService consumption,
            io.meterbase.core.store.ReadingStore readings,
            AlarmService alarms,
            Clock clock) {
        this.registry = registry;
        this.store = store;
        this.consumption = consumption;
        this.readings = readings;
        this.alarms = alarms;
        this.clock = clock;
    }

    // ---- sub-meters

    @Override
    public synchronized void setParent(long customerId, String child, @Nullable String parent) {
        device(customerId, child);
        Map<String, String> parents = new TreeMap<>(parents(customerId));
        if (parent == null) {
            parents.remove(child);
        } else {
            device(customerId, parent);
            // a meter cannot be under itself, nor under one of its own sub-meters
            for (String up = parent; up != null; up = parents.get(up)) {
                if (up.equals(child)) {
                    throw new IllegalArgumentException("'" + parent + "' is "
                            + (parent.equals(child) ? "the meter itself" : "under '" + child + "'")
                            + ": a meter cannot be its own sub-meter");
                }
            }
            parents.put(child, parent);
        }
        store.saveDocument(PARENTS, String.valueOf(customerId), ControlJson.write(parents));
    }

    @Override
    public Map<String, String> parents(long customerId) {
        return store.document(PARENTS, String.valueOf(customerId))
                .map(json -> read(json, STRINGS))
                .orElse(Map.of());
    }

    @Override
    public List<TreePoint> tree(
            long customerId, String meter, Commodity commodity, Interval interval, long from, long to) {
        Device main = device(customerId, meter);
        // sub-meters that use energy (a generator or battery under a meter gives energy, it is not what the meter
        // used behind it)
        List<Device> subs = new ArrayList<>();
        parents(customerId).forEach((child, parent) -> {
            if (parent.equals(meter)) {
                registry.device(customerId, child)
                        .filter(d -> !d.category().generates() && !d.category().stores())
                        .ifPresent(subs::add);
            }
        });
        Map<Long, EnergyPoint> top = new TreeMap<>();
        for (EnergyPoint p : consumption.consumption(List.of(main), commodity, interval, GroupBy.TOTAL, from, to)) {
            top.put(p.periodStart(), p);
        }
        Map<Long, Map<String, EnergyPoint>> below = byPeriod(subs, commodity, interval, from, to);
        Set<Long> periods = new java.util.TreeSet<>(top.keySet());
        periods.addAll(below.keySet());
        List<TreePoint> out = new ArrayList<>();
        for (long period : periods) {
            EnergyPoint m = top.get(period);
            Map<String, EnergyPoint> parts = below.getOrDefault(period, Map.of());
            Map<String, Double> amounts = new LinkedHashMap<>();
            double sum = 0;
            boolean estimated = m == null || m.isEstimated();
            for (Device d : subs) {
                EnergyPoint p = parts.get(d.ref());
                amounts.put(d.ref(), p == null ? 0.0 : p.amount());
                sum += p == null ? 0 : p.amount();
                estimated |= p == null || p.isEstimated();
            }
            double total = m == null ? 0 : m.amount();
            double rest = total - sum;
            // an excess of a millionth of the meter is the arithmetic's rounding, not the sub-meters measuring more
            double tolerance = Math.max(1e-6 * Math.abs(total), 1e-9);
            out.add(new TreePoint(
                    period,
                    total,
                    amounts,
                    sum,
                    rest >= -tolerance ? Math.max(0, rest) : null,
                    rest >= -tolerance ? null : -rest,
                    estimated));
        }
        return out;
    }

    private Map<Long, Map<String, EnergyPoint>> byPeriod(
            Collection<Device> devices, Commodity commodity, Interval interval, long from, long to) {
        Map<Long, Map<String, EnergyPoint>> out = new TreeMap<>();
        if (devices.isEmpty()) {
            return out;
        }
        for (EnergyPoint p : consumption.consumption(devices, commodity, interval, GroupBy.DEVICE, from, to)) {
            out.computeIfAbsent(p.periodStart(), k -> new HashMap<>()).put(p.group(), p);
        }
        return out;
    }

    // ---- virtual meters

    @Override
    public VirtualMeter putVirtualMeter(long customerId, VirtualMeter meter) {
        for (String ref : meter.plus()) {
            device(customerId, ref);
        }
        for (String ref : meter.minus()) {
            device(customerId, ref);
        }
        store.saveDocument(VIRTUAL, customerId + "/" + meter.id(), ControlJson.write(meter));
        return meter;
    }

    @Override
    public List<VirtualMeter> virtualMeters(long customerId) {
        List<VirtualMeter> out = new ArrayList<>();
        store.documents(VIRTUAL).forEach((id, json) -> {
            if (id.startsWith(customerId + "/")) {
                out.add(ControlJson.read(json, VirtualMeter.class));
            }
        });
        out.sort(java.util.Comparator.comparing(VirtualMeter::id));
        return out;
    }

    @Override
    public boolean removeVirtualMeter(long customerId, String id) {
        if (store.document(VIRTUAL, customerId + "/" + id).isEmpty()) {
            return false;
        }
        store.deleteDocument(VIRTUAL, customerId + "/" + id);
        return true;
    }

    @Override
    public List<Amount> virtualMeter(long customerId, String id, Interval interval, long from, long to) {
        VirtualMeter v = store.document(VIRTUAL, customerId + "/" + id)
                .map(json -> ControlJson.read(json, VirtualMeter.class))
                .orElseThrow(() -> new java.util.NoSuchElementException("no virtual meter '" + id + "'"));
        Map<Long, double[]> sums = new TreeMap<>();
        Map<Long, Boolean> estimated = new HashMap<>();
        add(customerId, v.plus(), v.commodity(), interval, from, to, 1, sums, estimated);
        add(customerId, v.minus(), v.commodity(), interval, from, to, -1, sums, estimated);
        List<Amount> out = new ArrayList<>();
        sums.forEach((period, s) -> out.add(new Amount(period, s[0], estimated.getOrDefault(period, false))));
        return out;
    }

    private void add(
            long customerId,
            List<String> refs,
            Commodity commodity,
            Interval interval,
            long from,
            long to,
            int sign,
            Map<Long, double[]> sums,
            Map<Long, Boolean> estimated) {
        List<Device> devices = new ArrayList<>();
        for (String ref : refs) {
            registry.device(customerId, ref).ifPresent(devices::add);
        }
        byPeriod(devices, commodity, interval, from, to).forEach((period, parts) -> {
            for (EnergyPoint p : parts.values()) {
                sums.computeIfAbsent(period, k -> new double[1])[0] += sign * p.amount();
                if (p.isEstimated()) {
                    estimated.put(period, true);
                }
            }
            if (parts.size() < devices.size()) {
                estimated.put(period, true); // a meter of the formula sent nothing for the period
            }
        });
    }

    // ---- district balances

    @Override
    public BalanceSettings putBalance(BalanceSettings settings) {
        if (registry.customer(settings.supplyCustomer()).isEmpty()) {
            throw new IllegalArgumentException("supply_customer: no customer " + settings.supplyCustomer());
        }
        device(settings.supplyCustomer(), settings.supplyDevice());
        store.saveDocument(BALANCES, settings.community(), ControlJson.write(settings));
        return settings;
    }

    @Override
    public Optional<BalanceSettings> balanceSettings(String community) {
        return store.document(BALANCES, community).map(json -> ControlJson.read(json, BalanceSettings.class));
    }

    @Override
    public List<BalanceSettings> balances() {
        List<BalanceSettings> out = new ArrayList<>();
        new TreeMap<>(store.documents(BALANCES))
                .values()
                .forEach(json -> out.add(ControlJson.read(json, BalanceSettings.class)));
        return out;
    }

    @Override
    public List<BalanceDay> balance(String community, long from, long to) {
        BalanceSettings s = balanceSettings(community)
                .orElseThrow(() -> new java.util.NoSuchElementException("no balance for '" + community + "'"));
        Device supply = device(s.supplyCustomer(), s.supplyDevice());
        Map<Long, EnergyPoint> supplied = new TreeMap<>();
        for (EnergyPoint p :
                consumption.consumption(List.of(supply), s.commodity(), Interval.DAY, GroupBy.TOTAL, from, to)) {
            supplied.put(p.periodStart(), p);
        }
        Map<Long, Double> supplyReturned = new HashMap<>();
        if (s.commodity() == Commodity.ELECTRICITY) {
            for (io.meterbase.core.query.EnergyBalance.Point b : new io.meterbase.core.query.EnergyBalance(
                            registry, readings)
                    .balance(List.of(supply), Interval.DAY, from, to)) {
                if (b.exported() != null && b.exported() > 0) {
                    supplyReturned.put(b.periodStart(), b.exported());
                }
            }
        }
        // the meters behind the supply: each customer of the district, its totals' meters of the commodity
        List<Device> behind = new ArrayList<>();
        for (Customer c : registry.customers()) {
            if (c.id() == s.supplyCustomer()) {
                continue;
            }
            Set<Long> sites = new HashSet<>();
            for (Site site : registry.sites(c.id())) {
                if (site.community().equals(community)) {
                    sites.add(site.id());
                }
            }
            for (Device d : consumption.countedDevices(c.id(), s.commodity())) {
                if (sites.contains(d.siteId())
                        && !consumption.consumptionChannels(d, s.commodity()).isEmpty()) {
                    behind.add(d);
                }
            }
        }
        // per customer: references are unique within a customer only
        Map<Long, Map<String, EnergyPoint>> metered = new TreeMap<>();
        Map<Long, List<Device>> byCustomer = new TreeMap<>();
        behind.forEach(d -> byCustomer
                .computeIfAbsent(d.customerId(), k -> new ArrayList<>())
                .add(d));
        // what prosumers behind the supply sent back through their grid meters went into the district, not out:
        // it is taken off what they took (electricity only)
        Map<String, Map<Long, Double>> returned = new HashMap<>();
        io.meterbase.core.query.EnergyBalance flows = new io.meterbase.core.query.EnergyBalance(registry, readings);
        byCustomer.forEach((customer, devices) -> {
            for (EnergyPoint p :
                    consumption.consumption(devices, s.commodity(), Interval.DAY, GroupBy.DEVICE, from, to)) {
                metered.computeIfAbsent(p.periodStart(), k -> new HashMap<>()).put("#" + customer + "/" + p.group(), p);
            }
            if (s.commodity() == Commodity.ELECTRICITY) {
                for (Device d : devices) {
                    if (d.category() == io.meterbase.core.model.Category.MAIN) {
                        for (io.meterbase.core.query.EnergyBalance.Point b :
                                flows.balance(List.of(d), Interval.DAY, from, to)) {
                            if (b.exported() != null && b.exported() > 0) {
                                returned.computeIfAbsent("#" + customer + "/" + d.ref(), k -> new HashMap<>())
                                        .put(b.periodStart(), b.exported());
                            }
                        }
                    }
                }
            }
        });
        ZoneId zone = registry.site(supply.siteId()).map(Site::zone).orElse(ZoneId.of("UTC"));
        List<BalanceDay> out = new ArrayList<>();
        for (Map.Entry<Long, EnergyPoint> e : supplied.entrySet()) {
            Map<String, EnergyPoint> day = metered.getOrDefault(e.getKey(), Map.of());
            long end = Instant.ofEpochMilli(e.getKey())
                    .atZone(zone)
                    .toLocalDate()
                    .plusDays(1)
                    .atStartOfDay(zone)
                    .toInstant()
                    .toEpochMilli();
            double sum = 0;
            List<String> missing = new ArrayList<>();
            for (Device d : behind) {
                EnergyPoint p = day.get("#" + d.customerId() + "/" + d.ref());
                if (!covers(d, s.commodity(), p, end)) {
                    missing.add("#" + d.customerId() + "/" + d.ref());
                } else {
                    sum += p.amount()
                            - returned.getOrDefault("#" + d.customerId() + "/" + d.ref(), Map.of())
                                    .getOrDefault(e.getKey(), 0.0);
                }
            }
            // what went back upstream through the supply meter is taken off what came in, as for the meters behind
            double in = e.getValue().amount() - supplyReturned.getOrDefault(e.getKey(), 0.0);
            double losses = in - sum;
            out.add(new BalanceDay(
                    e.getKey(),
                    in,
                    sum,
                    losses,
                    in > 0 ? 100 * losses / in : null,
                    behind.size(),
                    missing,
                    missing.isEmpty() && covers(supply, s.commodity(), e.getValue(), end)));
        }
        return out;
    }

    /**
     * Whether a meter's day is known whole: no gap in it, and a reading at or after its end (a register read at
     * midnight closes the day; without it, the day's last hours are not measured yet).
     */
    private boolean covers(Device d, Commodity commodity, @Nullable EnergyPoint day, long end) {
        if (day == null || day.gapMillis() > 0) {
            return false;
        }
        for (io.meterbase.core.model.Channel c : consumption.consumptionChannels(d, commodity)) {
            if (readings.readingAfter(c.id(), end - 1).isEmpty()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void checkBalances() {
        for (String community : store.documents(BALANCES).keySet()) {
            try {
                check(community);
            } catch (RuntimeException e) {
                LOG.warn("The balance of '{}' could not be checked: {}", community, e.toString());
            }
        }
    }

    /** Yesterday's balance (the supply's day) against its threshold: an alarm while above, cleared once below. */
    private void check(String community) {
        BalanceSettings s = balanceSettings(community).orElse(null);
        if (s == null || s.alarmAbovePercent() == null) {
            return;
        }
        Device supply = device(s.supplyCustomer(), s.supplyDevice());
        ZoneId zone = registry.site(supply.siteId()).map(Site::zone).orElse(ZoneId.of("UTC"));
        Instant now = clock.instant();
        LocalDate yesterday = LocalDate.ofInstant(now, zone).minusDays(1);
        long from = yesterday.atStartOfDay(zone).toInstant().toEpochMilli();
        List<BalanceDay> days = balance(community, from, from + 1);
        if (days.isEmpty() || !days.get(0).complete() || days.get(0).lossesPercent() == null) {
            return; // a day with a meter missing says nothing trustworthy
        }
        double percent = days.get(0).lossesPercent();
        boolean drifted = percent > s.alarmAbovePercent().doubleValue();
        alarms.event(
                s.supplyCustomer(),
                s.supplyDevice(),
                "balance_drift",
                io.meterbase.core.api.alarm.Severity.WARNING,
                drifted,
                now,
                String.format(
                        Locale.ROOT,
                        "%s: %.1f %% of the supply on %s was not metered behind it (alarm above %s %%)",
                        community,
                        percent,
                        yesterday,
                        s.alarmAbovePercent().stripTrailingZeros().toPlainString()));
    }

    private Device device(long customerId, String ref) {
        return registry.device(customerId, ref)
                .orElseThrow(() -> new java.util.NoSuchElementException("no device '" + ref + "'"));
    }

    private static <T> T read(String json, TypeReference<T> type) {
        try {
            return ControlJson.MAPPER.readValue(json, type);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a stored document cannot be read: " + e.getOriginalMessage(), e);
        }
    }
}
