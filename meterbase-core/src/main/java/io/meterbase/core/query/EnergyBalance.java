package io.meterbase.core.query;

import io.meterbase.core.model.Category;
import io.meterbase.core.model.Channel;
import io.meterbase.core.model.Device;
import io.meterbase.core.model.Quantity;
import io.meterbase.core.model.Site;
import io.meterbase.core.registry.Registry;
import io.meterbase.core.store.ReadingStore;
import io.meterbase.core.store.Rollup;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Electricity in both directions for a home or building: what came from the grid and went to it, what its solar
 * panels or wind turbine generated, what its battery took and gave back, and from these what the home used, how much
 * of its generation it used itself and how much of its use it covered itself.
 *
 * <p>Which device measures what is its {@link Category}; the sign conventions (enforced where rollups are made: each
 * direction is booked on its own side, never netted) are:
 *
 * <table>
 *   <caption>What each device's channels count as</caption>
 *   <tr><th>Device</th><th>power &gt; 0</th><th>power &lt; 0</th><th>energy_import</th><th>energy_export</th></tr>
 *   <tr><td>main (grid connection)</td><td>import</td><td>export</td><td>import</td><td>export</td></tr>
 *   <tr><td>solar, wind</td><td>generation</td><td>generation</td><td>generation (if no export register)</td>
 *       <td>generation</td></tr>
 *   <tr><td>battery</td><td>discharge</td><td>charge</td><td>charge</td><td>discharge</td></tr>
 * </table>
 *
 * <p>A generator counts whatever its sign: inverters report production as positive, a plug in front of a balcony
 * panel as negative. A device's registers or intervals are used when it has them, its power otherwise.
 */
public final class EnergyBalance {

    /** Where an amount of energy went. */
    public enum Flow {
        IMPORT,
        EXPORT,
        GENERATION,
        CHARGE,
        DISCHARGE
    }

    /**
     * One period's balance (Wh). {@code imported} and {@code exported} are null without a grid meter; then what the
     * home used is unknown too. {@code selfConsumed} is the generation not exported (null without generation or
     * grid meter); {@code selfConsumption} its share of the generation, {@code selfSufficiency} the share of the
     * home's use not imported (0 to 1, null when undefined). {@code estimated} says some of it was apportioned from
     * long steps or is missing (gaps).
     */
    public record Point(
            long periodStart,
            @Nullable Double imported,
            @Nullable Double exported,
            double generated,
            double charged,
            double discharged,
            @Nullable Double consumed,
            @Nullable Double selfConsumed,
            @Nullable Double selfConsumption,
            @Nullable Double selfSufficiency,
            @Nullable Double net,
            boolean estimated) {}

    /** A channel and where what flows each way through it goes (null: that way is counted elsewhere). */
    record Tap(int channelId, @Nullable Flow in, @Nullable Flow out) {}

    private final Registry registry;
    private final ReadingStore store;

    public EnergyBalance(Registry registry, ReadingStore store) {
        this.registry = registry;
        this.store = store;
    }

    /** Whether any of the devices measures generation, a battery or export: whether a balance has anything to say. */
    public boolean applies(Collection<Device> devices) {
        for (Device d : devices) {
            if (d.category().generates() || d.category().stores()) {
                return true;
            }
            if (d.category() == Category.MAIN
                    && registry.channels(d.id()).stream().anyMatch(c -> c.quantity() == Quantity.ENERGY_EXPORT)) {
                return true;
            }
        }
        return false;
    }

    /** The channels of a device that count in the balance, and where each direction goes. */
    List<Tap> taps(Device device) {
        List<Channel> channels = registry.channels(device.id());
        List<Channel> imports = one(of(channels, Quantity.ENERGY_IMPORT), "energy_import", "energy");
        List<Channel> exports = one(of(channels, Quantity.ENERGY_EXPORT), "energy_export", "energy_returned");
        List<Channel> power = of(channels, Quantity.ACTIVE_POWER).stream()
                .filter(c -> c.name().equals("active_power"))
                .findFirst()
                .map(List::of)
                .orElse(of(channels, Quantity.ACTIVE_POWER));
        boolean registers = !imports.isEmpty() || !exports.isEmpty();
        List<Tap> taps = new ArrayList<>();
        switch (device.category()) {
            case MAIN -> {
                // each direction from its register where the meter has one, else from the power through it
                // a net interval channel's negative amounts are the export when nothing else measures it
                Flow netOut = exports.isEmpty() && power.isEmpty() ? Flow.EXPORT : null;
                imports.forEach(c -> taps.add(new Tap(c.id(), Flow.IMPORT, netOut)));
                exports.forEach(c -> taps.add(new Tap(c.id(), Flow.EXPORT, null)));
                if (imports.isEmpty() || exports.isEmpty()) {
                    power.forEach(c -> taps.add(new Tap(
                            c.id(), imports.isEmpty() ? Flow.IMPORT : null, exports.isEmpty() ? Flow.EXPORT : null)));
                }
            }
            case SOLAR, WIND -> {
                List<Channel> made = !exports.isEmpty() ? exports : !imports.isEmpty() ? imports : power;
                made.forEach(c -> taps.add(new Tap(c.id(), Flow.GENERATION, Flow.GENERATION)));
            }
            case BATTERY -> {
                if (registers) {
                    imports.forEach(c -> taps.add(new Tap(c.id(), Flow.CHARGE, Flow.DISCHARGE)));
                    exports.forEach(c -> taps.add(new Tap(c.id(), Flow.DISCHARGE, Flow.CHARGE)));
                } else {
                    power.forEach(c -> taps.add(new Tap(c.id(), Flow.DISCHARGE, Flow.CHARGE)));
                }
            }
            default -> {
                // appliances are behind the grid meter: their use is in what the home used
            }
        }
        return taps;
    }

    private static List<Channel> of(List<Channel> channels, Quantity quantity) {
        return channels.stream().filter(c -> c.quantity() == quantity).toList();
    }

    /**
     * A meter's register of one direction: the one with a usual name where the meter has several (a Shelly Pro EM's
     * second channel, on the panels, is not the grid's), else all of them.
     */
    private static List<Channel> one(List<Channel> registers, String... names) {
        for (String name : names) {
            for (Channel c : registers) {
                if (c.name().equals(name)) {
                    return List.of(c);
                }
            }
        }
        return registers;
    }

    /**
     * The balance of the devices (one home's or building's) per hour, day or month in {@code [from, to)}, oldest
     * first; days and months in the time zone of the devices' first site.
     */
    public List<Point> balance(Collection<Device> devices, ConsumptionService.Interval interval, long from, long to) {
        Map<Integer, Tap> taps = new HashMap<>();
        boolean grid = false;
        ZoneId zone = null;
        for (Device d : devices) {
            for (Tap t : taps(d)) {
                taps.put(t.channelId(), t);
                grid |= t.in() == Flow.IMPORT || t.in() == Flow.EXPORT || t.out() == Flow.EXPORT;
            }
            if (zone == null) {
                zone = registry.site(d.siteId()).map(Site::zone).orElse(null);
            }
        }
        if (taps.isEmpty()) {
            return List.of();
        }
        ZoneId z = zone != null ? zone : ZoneId.of("UTC");
        List<Rollup> rollups = interval == ConsumptionService.Interval.HOUR
                ? store.hourly(taps.keySet(), from, to)
                : store.daily(taps.keySet(), from, to);
        Map<Long, EnumMap<Flow, Double>> sums = new TreeMap<>();
        Map<Long, Boolean> estimated = new HashMap<>();
        Map<Long, java.util.Set<Integer>> seen = new HashMap<>();
        for (Rollup r : rollups) {
            if (!r.hasEnergy()) {
                continue;
            }
            Tap t = taps.get(r.channelId());
            if (t == null) {
                continue;
            }
            long period = interval == ConsumptionService.Interval.MONTH ? monthStart(r.start(), z) : r.start();
            EnumMap<Flow, Double> flows = sums.computeIfAbsent(period, k -> new EnumMap<>(Flow.class));
            if (t.in() != null) {
                flows.merge(t.in(), r.energy(), Double::sum);
            }
            if (t.out() != null && r.energyOut() > 0) {
                flows.merge(t.out(), r.energyOut(), Double::sum);
            }
            if (r.isEstimated()) {
                estimated.put(period, true);
            }
            seen.computeIfAbsent(period, k -> new java.util.HashSet<>()).add(r.channelId());
        }
        // a period in which a counted meter sent nothing is not a perfect balance: it is marked estimated
        seen.forEach((period, channels) -> {
            if (channels.size() < taps.size()) {
                estimated.put(period, true);
            }
        });
        List<Point> points = new ArrayList<>();
        for (Map.Entry<Long, EnumMap<Flow, Double>> e : sums.entrySet()) {
            points.add(point(e.getKey(), e.getValue(), grid, estimated.getOrDefault(e.getKey(), false)));
        }
        return points;
    }

    /** The figures of one period from what flowed where. */
    static Point point(long start, Map<Flow, Double> flows, boolean grid, boolean estimated) {
        double imported = flows.getOrDefault(Flow.IMPORT, 0.0);
        double exported = flows.getOrDefault(Flow.EXPORT, 0.0);
        double generated = flows.getOrDefault(Flow.GENERATION, 0.0);
        double charged = flows.getOrDefault(Flow.CHARGE, 0.0);
        double discharged = flows.getOrDefault(Flow.DISCHARGE, 0.0);
        if (!grid) {
            return new Point(
                    start, null, null, generated, charged, discharged, null, null, null, null, null, estimated);
        }
        // the home used what came in (grid, panels, battery) less what went out (grid, battery); never below 0 (a
        // period whose meters disagree by a little, or reported at different times, is not negative use)
        double consumed = Math.max(0, imported + generated + discharged - exported - charged);
        Double selfConsumed = generated > 0 ? Math.max(0, generated - exported) : null;
        Double selfConsumption = selfConsumed != null ? Math.min(1, selfConsumed / generated) : null;
        Double selfSufficiency = consumed > 0 ? Math.max(0, Math.min(1, 1 - imported / consumed)) : null;
        return new Point(
                start,
                imported,
                exported,
                generated,
                charged,
                discharged,
                consumed,
                selfConsumed,
                selfConsumption,
                selfSufficiency,
                imported - exported,
                estimated);
    }

    private static long monthStart(long timestamp, ZoneId zone) {
        return Instant.ofEpochMilli(timestamp)
                .atZone(zone)
                .toLocalDate()
                .withDayOfMonth(1)
                .atStartOfDay(zone)
                .toInstant()
                .toEpochMilli();
    }
}
