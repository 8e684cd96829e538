package io.meterbase.services.tariff;

import io.meterbase.core.model.Device;
import io.meterbase.core.model.Site;
import io.meterbase.core.query.Commodity;
import io.meterbase.core.query.ConsumptionService;
import io.meterbase.core.query.EnergyBalance;
import io.meterbase.core.query.EnergyPoint;
import io.meterbase.core.registry.Registry;
import java.time.ZoneId;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/** Hourly consumption of a customer's devices, from the hourly rollups. */
public final class RollupUsage implements Usage {

    private final Registry registry;
    private final ConsumptionService consumption;
    private final @org.jspecify.annotations.Nullable EnergyBalance balance;

    public RollupUsage(Registry registry, ConsumptionService consumption) {
        this(registry, consumption, null);
    }

    /** Usage that also knows what the grid meters exported ({@code balance}). */
    public RollupUsage(
            Registry registry,
            ConsumptionService consumption,
            @org.jspecify.annotations.Nullable EnergyBalance balance) {
        this.registry = registry;
        this.consumption = consumption;
        this.balance = balance;
    }

    @Override
    public NavigableMap<Long, Double> exported(long customerId, long from, long to) {
        NavigableMap<Long, Double> out = new TreeMap<>();
        if (balance == null) {
            return out;
        }
        List<Device> mains = registry.devices(customerId).stream()
                .filter(d -> d.category() == io.meterbase.core.model.Category.MAIN)
                .toList();
        for (EnergyBalance.Point p : balance.balance(mains, ConsumptionService.Interval.HOUR, from, to)) {
            Double e = p.exported();
            if (e != null && e > 0) {
                out.put(p.periodStart(), e);
            }
        }
        return out;
    }

    @Override
    public List<Device> counted(long customerId) {
        return consumption.countedDevices(customerId);
    }

    @Override
    public List<Device> counted(long customerId, Commodity commodity) {
        return consumption.countedDevices(customerId, commodity);
    }

    @Override
    public List<Device> all(long customerId) {
        return registry.devices(customerId);
    }

    @Override
    public ZoneId zone(long customerId) {
        return registry.sites(customerId).stream().findFirst().map(Site::zone).orElse(ZoneId.of("UTC"));
    }

    @Override
    public Map<String, NavigableMap<Long, Double>> hourly(
            Collection<Device> devices, Commodity commodity, long from, long to) {
        Map<String, NavigableMap<Long, Double>> out = new HashMap<>();
        // generators and batteries use nothing: a bill's per-appliance costs are the consumers'
        List<Device> consumers = devices.stream()
                .filter(d -> !d.category().generates() && !d.category().stores())
                .toList();
        for (EnergyPoint p : consumption.consumption(
                consumers, commodity, ConsumptionService.Interval.HOUR, ConsumptionService.GroupBy.DEVICE, from, to)) {
            out.computeIfAbsent(p.group(), k -> new TreeMap<>()).merge(p.periodStart(), p.amount(), Double::sum);
        }
        return out;
    }

    @Override
    public NavigableMap<Long, EnergyPoint> estimatedHours(
            Collection<Device> devices, Commodity commodity, long from, long to) {
        NavigableMap<Long, EnergyPoint> out = new TreeMap<>();
        for (EnergyPoint p : consumption.consumption(
                devices, commodity, ConsumptionService.Interval.HOUR, ConsumptionService.GroupBy.TOTAL, from, to)) {
            if (p.isEstimated()) {
                out.put(p.periodStart(), p);
            }
        }
        return out;
    }
}
