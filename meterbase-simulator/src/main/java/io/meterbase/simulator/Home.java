package io.meterbase.simulator;

import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * A simulated home: a gateway with 5 to 8 smart plugs, each measuring power, voltage, current, power factor and an
 * energy register. {@link #upload} builds the gateway's message for one moment, as seed 000's gateway sends it.
 */
public final class Home {

    /** What a plug with its relay open still reports (its own electronics). */
    private static final double STANDBY_W = 0.4;

    private static final Appliance.Kind[] ALWAYS = {Appliance.Kind.FRIDGE, Appliance.Kind.LIGHTING};

    private final String name;
    private final List<Appliance> appliances = new ArrayList<>();
    private final double[] registersWh;
    private final boolean[] relayOff;
    private final long[] lastTs;
    private final Random random;
    private final ZoneId zone;

    public Home(int index, ZoneId zone) {
        this.name = String.format("home-%02d", index);
        this.zone = zone;
        this.random = new Random(index * 7919L);
        for (Appliance.Kind k : ALWAYS) {
            appliances.add(new Appliance(k, random.nextLong()));
        }
        List<Appliance.Kind> optional = new ArrayList<>(List.of(
                Appliance.Kind.KETTLE,
                Appliance.Kind.AIR_CONDITIONER,
                Appliance.Kind.WATER_HEATER,
                Appliance.Kind.TV,
                Appliance.Kind.WASHING_MACHINE,
                Appliance.Kind.EV_CHARGER));
        java.util.Collections.shuffle(optional, random);
        int extra = 3 + random.nextInt(4);
        for (int i = 0; i < extra; i++) {
            appliances.add(new Appliance(optional.get(i), random.nextLong()));
        }
        registersWh = new double[appliances.size()];
        relayOff = new boolean[appliances.size()];
        lastTs = new long[appliances.size()];
        for (int i = 0; i < registersWh.length; i++) {
            registersWh[i] = Math.round(random.nextDouble() * 500_000);
        }
    }

    public String name() {
        return name;
    }

    /** Whether a plug's relay is closed (the appliance has power). */
    public synchronized boolean relayOn(int plug) {
        return !relayOff[plug];
    }

    /** Switches a plug's relay ({@code on}, {@code off} or {@code toggle}); returns whether it is on now. */
    public synchronized boolean switchRelay(int plug, String state) {
        if (plug < 0 || plug >= relayOff.length) {
            throw new IllegalArgumentException("no plug " + (plug + 1));
        }
        relayOff[plug] = switch (state) {
            case "on" -> false;
            case "off" -> true;
            case "toggle" -> !relayOff[plug];
            default -> throw new IllegalArgumentException("relay on, off or toggle, not " + state);
        };
        return !relayOff[plug];
    }

    public int plugs() {
        return appliances.size();
    }

    /** The gateway upload (Meterbase JSON) with every plug's readings at {@code ts}, a step after the last one. */
    public String upload(long ts, long stepMillis) {
        return upload(ts, 1, stepMillis);
    }

    /** One upload with every plug's readings at {@code count} moments from {@code from}, {@code stepMillis} apart. */
    public synchronized String upload(long from, int count, long stepMillis) {
        StringBuilder[] nodes = new StringBuilder[appliances.size()];
        for (int i = 0; i < nodes.length; i++) {
            Appliance a = appliances.get(i);
            nodes[i] = new StringBuilder(count * 420)
                    .append("{\"id\":\"plug-")
                    .append(i + 1)
                    .append("\",\"name\":\"")
                    .append(a.kind().category.replace('_', ' '))
                    .append("\",\"type\":\"smart_plug\",\"category\":\"")
                    .append(a.kind().category)
                    .append("\",\"readings\":[");
        }
        for (int m = 0; m < count; m++) {
            long ts = from + m * stepMillis;
            LocalTime time = Instant.ofEpochMilli(ts).atZone(zone).toLocalTime();
            double voltage = 230 + 3 * Math.sin(ts / 3_600_000.0) + random.nextGaussian() * 0.8;
            for (int i = 0; i < nodes.length; i++) {
                Appliance a = appliances.get(i);
                double power = relayOff[i] ? STANDBY_W : a.power(ts, time, stepMillis);
                if (lastTs[i] != 0) {
                    registersWh[i] += power * (ts - lastTs[i]) / 3_600_000.0;
                }
                lastTs[i] = ts;
                double pf = power < 5 ? 0.5 : a.powerFactor();
                StringBuilder sb = nodes[i];
                if (m > 0) {
                    sb.append(',');
                }
                // the resolutions a smart plug reports: 0.1 W, 0.1 V, 1 mA, 0.01, 1 Wh
                reading(sb, ts, "active_power", "W", power, 1, null);
                reading(sb.append(','), ts, "voltage", "V", voltage, 1, null);
                reading(sb.append(','), ts, "current", "A", power / (voltage * pf), 3, null);
                reading(sb.append(','), ts, "power_factor", "/", pf, 2, null);
                reading(sb.append(','), ts, "energy_import", "Wh", Math.floor(registersWh[i]), 0, "register");
            }
        }
        StringBuilder out =
                new StringBuilder().append("{\"gateway\":\"").append(name).append("-gw\",\"nodes\":[");
        for (int i = 0; i < nodes.length; i++) {
            out.append(i == 0 ? "" : ",").append(nodes[i]).append("]}");
        }
        return out.append("]}").toString();
    }

    private static void reading(
            StringBuilder sb, long ts, String quantity, String unit, double value, int decimals, String kind) {
        sb.append("{\"ts\":")
                .append(ts)
                .append(",\"quantity\":\"")
                .append(quantity)
                .append("\",\"unit\":\"")
                .append(unit)
                .append("\",\"value\":")
                .append(String.format(Locale.ROOT, "%." + decimals + "f", value));
        if (kind != null) {
            sb.append(",\"kind\":\"").append(kind).append('"');
        }
        sb.append('}');
    }
}
