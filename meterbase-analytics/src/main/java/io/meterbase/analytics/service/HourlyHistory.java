package io.meterbase.analytics.service;

import io.meterbase.core.model.Channel;
import io.meterbase.core.model.Device;
import io.meterbase.core.model.Quantity;
import io.meterbase.core.model.Site;
import io.meterbase.core.query.Commodity;
import io.meterbase.core.query.ConsumptionService;
import io.meterbase.core.registry.Registry;
import io.meterbase.core.store.ReadingStore;
import io.meterbase.core.store.Rollup;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Hourly consumption of devices, from the hourly rollups: what the analytics read. Channels are read in chunks, so
 * a fleet of meters costs a few store queries, not one per meter.
 */
public final class HourlyHistory {

    static final long HOUR = 3_600_000L;
    private static final int CHUNK = 2_000;

    private final Registry registry;
    private final ReadingStore store;
    private final ConsumptionService consumption;

    public HourlyHistory(Registry registry, ReadingStore store, ConsumptionService consumption) {
        this.registry = registry;
        this.store = store;
        this.consumption = consumption;
    }

    /**
     * One series: {@code values[i]} is the consumption (in the commodity's unit) of the hour starting at
     * {@code start + i} hours (UTC epoch ms); NaN where nothing is known.
     */
    public record Hourly(
            String key,
            long customerId,
            @Nullable String deviceRef,
            @Nullable String community,
            ZoneId zone,
            long start,
            double[] values) {

        /** The device of a meter's series; a community's total has none. */
        public String meterRef() {
            return Objects.requireNonNull(deviceRef, "a community total has no device");
        }

        /** The local time of the first hour (calendar features ignore a daylight-saving change inside the window). */
        public LocalDateTime firstLocal() {
            return LocalDateTime.ofInstant(Instant.ofEpochMilli(start), zone);
        }

        public Instant hour(int index) {
            return Instant.ofEpochMilli(start + index * HOUR);
        }
    }

    /** A device measuring the commodity, with where it is. */
    public record Meter(
            Device device, List<Channel> channels, @Nullable String community, ZoneId zone) {}

    /** Every device that measures the commodity. */
    public List<Meter> meters(Commodity commodity) {
        List<Meter> out = new ArrayList<>();
        Map<Long, Site> sites = new HashMap<>();
        for (Device d : registry.allDevices()) {
            List<Channel> channels = consumption.consumptionChannels(d, commodity);
            if (channels.isEmpty()) {
                continue;
            }
            Site site =
                    sites.computeIfAbsent(d.siteId(), id -> registry.site(id).orElse(null));
            out.add(new Meter(
                    d, channels, site == null ? null : site.community(), site == null ? ZoneOffset.UTC : site.zone()));
        }
        return out;
    }

    /** The meters' hourly series over {@code [from, to)} (hour boundaries). */
    public List<Hourly> series(List<Meter> meters, long from, long to) {
        int hours = (int) ((to - from) / HOUR);
        Map<Integer, double[]> byChannel = new HashMap<>();
        Map<Long, double[]> byDevice = new HashMap<>();
        List<Integer> channels = new ArrayList<>();
        for (Meter m : meters) {
            double[] v = new double[hours];
            Arrays.fill(v, Double.NaN);
            byDevice.put(m.device().id(), v);
            for (Channel c : m.channels()) {
                byChannel.put(c.id(), v);
                channels.add(c.id());
            }
        }
        for (int i = 0; i < channels.size(); i += CHUNK) {
            for (Rollup r : store.hourly(channels.subList(i, Math.min(channels.size(), i + CHUNK)), from, to)) {
                if (!r.hasEnergy()) {
                    continue;
                }
                int idx = (int) ((r.start() - from) / HOUR);
                double[] v = byChannel.get(r.channelId());
                if (v != null && idx >= 0 && idx < hours) {
                    v[idx] = Double.isNaN(v[idx]) ? r.energy() : v[idx] + r.energy();
                }
            }
        }
        List<Hourly> out = new ArrayList<>(meters.size());
        for (Meter m : meters) {
            Device d = m.device();
            out.add(new Hourly(
                    deviceKey(d.customerId(), d.ref()),
                    d.customerId(),
                    d.ref(),
                    m.community(),
                    m.zone(),
                    from,
                    Objects.requireNonNull(byDevice.get(d.id()), "every meter has its row")));
        }
        return out;
    }

    /** The name of the channel that gives a customer's outdoor temperature (any of its devices, °C). */
    public static final String OUTDOOR_TEMPERATURE = "outdoor_temperature";

    /**
     * The customer's outdoor temperature per hour over {@code [from, to)} (the hourly average of its
     * {@value #OUTDOOR_TEMPERATURE} channel; NaN where unknown), or null when it has no such channel.
     */
    public double @Nullable [] outdoorTemperature(long customerId, long from, long to) {
        List<Integer> channels = new ArrayList<>();
        for (Device d : registry.devices(customerId)) {
            for (Channel c : registry.channels(d.id())) {
                if (c.name().equals(OUTDOOR_TEMPERATURE) && c.quantity() == Quantity.TEMPERATURE) {
                    channels.add(c.id());
                }
            }
        }
        if (channels.isEmpty()) {
            return null;
        }
        int hours = (int) ((to - from) / HOUR);
        double[] v = new double[hours];
        Arrays.fill(v, Double.NaN);
        for (Rollup r : store.hourly(channels.subList(0, 1), from, to)) {
            int idx = (int) ((r.start() - from) / HOUR);
            if (idx >= 0 && idx < hours && r.count() > 0) {
                v[idx] = r.avg();
            }
        }
        return v;
    }

    /** The key of a device's series and forecast: device refs are unique per customer only. */
    public static String deviceKey(long customerId, String ref) {
        return "device:" + customerId + "/" + ref;
    }

    /** The totals of each community: per hour, the sum of what its meters measured (NaN when none did). */
    public static List<Hourly> communityTotals(List<Hourly> meters) {
        Map<String, Hourly> totals = new java.util.TreeMap<>();
        for (Hourly m : meters) {
            if (m.community() == null) {
                continue;
            }
            Hourly t = totals.computeIfAbsent(m.community(), c -> {
                double[] v = new double[m.values().length];
                Arrays.fill(v, Double.NaN);
                return new Hourly("community:" + c, 0, null, c, m.zone(), m.start(), v);
            });
            double[] v = t.values();
            for (int i = 0; i < v.length && i < m.values().length; i++) {
                double x = m.values()[i];
                if (!Double.isNaN(x)) {
                    v[i] = Double.isNaN(v[i]) ? x : v[i] + x;
                }
            }
        }
        return new ArrayList<>(totals.values());
    }
}
