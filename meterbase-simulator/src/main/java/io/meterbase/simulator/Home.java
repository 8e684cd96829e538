package io.meterbase.simulator;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Random;
import org.jspecify.annotations.Nullable;

/**
 * A simulated home: a gateway with 5 to 8 smart plugs, each measuring power, voltage, current, power factor and an
 * energy register. {@link #upload} builds the gateway's message for one moment, as seed 000's gateway sends it.
 *
 * <p>One home in three (home 1, 4, 7, ...) has solar panels of 3 to 6 kWp ({@link SolarPanels}: a clear-sky day
 * with clouds) and a meter at its grid connection ({@code grid}, category main: power positive while importing,
 * negative while exporting, and its import and export registers); every other one of those from home 7 on (7, 13,
 * 19, ...) also has a 10 kWh battery ({@code battery}: power positive while discharging, and its state of charge) that stores the
 * midday surplus and gives it back in the evening. Home 1 has panels and no battery: it exports at noon and imports
 * at night.
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
    private final @Nullable SolarPanels solar;
    /** The battery's capacity and most power (Wh, W); 0 without a battery. */
    private final double batteryWh;

    private final double batteryMaxW;
    private double chargeWh;
    private double gridImportWh;
    private double gridExportWh;
    private double solarWh;
    private long lastSiteTs;

    /** Home {@code index} (from 1), with solar panels if it is one of the homes that have them (1, 4, 7, ...). */
    public Home(int index, ZoneId zone) {
        this(index, zone, hasPanels(index));
    }

    /** Which homes have solar panels by default: one in three, home 1 first. */
    public static boolean hasPanels(int index) {
        return index % 3 == 1;
    }

    /** Home {@code index} (from 1), with or without solar panels. */
    public Home(int index, ZoneId zone, boolean panels) {
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
        Random site = new Random(index * 104_729L);
        this.solar = panels ? new SolarPanels(index == 1 ? 5000 : 3000 + 3000 * site.nextDouble(), index, zone) : null;
        this.batteryWh = solar != null && index % 6 == 1 && index > 1 ? 10_000 : 0;
        this.batteryMaxW = 3000;
        this.chargeWh = batteryWh / 2;
        this.gridImportWh = Math.round(site.nextDouble() * 2_000_000);
        this.gridExportWh = solar != null ? Math.round(site.nextDouble() * 500_000) : 0;
        this.solarWh = solar != null ? gridExportWh * 2 : 0;
    }

    /** Whether the home has solar panels (and a grid meter). */
    public boolean hasSolar() {
        return solar != null;
    }

    /** Whether the home has a battery. */
    public boolean hasBattery() {
        return batteryWh > 0;
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

    /** One reading of a plug, its value already at the plug's resolution. */
    private record Point(
            long ts,
            String quantity,
            String unit,
            String value,
            @Nullable String kind) {}

    /** One upload with every plug's readings at {@code count} moments from {@code from}, {@code stepMillis} apart. */
    public synchronized String upload(long from, int count, long stepMillis) {
        List<List<Point>> points = new ArrayList<>(appliances.size());
        for (int i = 0; i < appliances.size(); i++) {
            points.add(new ArrayList<>(count * 5));
        }
        List<Point> grid = new ArrayList<>();
        List<Point> panels = new ArrayList<>();
        List<Point> storage = new ArrayList<>();
        for (int m = 0; m < count; m++) {
            long ts = from + m * stepMillis;
            LocalTime time = Instant.ofEpochMilli(ts).atZone(zone).toLocalTime();
            double voltage = 230 + 3 * Math.sin(ts / 3_600_000.0) + random.nextGaussian() * 0.8;
            double load = 0;
            for (int i = 0; i < appliances.size(); i++) {
                Appliance a = appliances.get(i);
                double power = relayOff[i] ? STANDBY_W : a.power(ts, time, stepMillis);
                load += power;
                if (lastTs[i] != 0) {
                    registersWh[i] += power * (ts - lastTs[i]) / 3_600_000.0;
                }
                lastTs[i] = ts;
                double pf = power < 5 ? 0.5 : a.powerFactor();
                List<Point> p = points.get(i);
                // the resolutions a smart plug reports: 0.1 W, 0.1 V, 1 mA, 0.01, 1 Wh
                p.add(new Point(ts, "active_power", "W", decimals(power, 1), null));
                p.add(new Point(ts, "voltage", "V", decimals(voltage, 1), null));
                p.add(new Point(ts, "current", "A", decimals(power / (voltage * pf), 3), null));
                p.add(new Point(ts, "power_factor", "/", decimals(pf, 2), null));
                p.add(new Point(ts, "energy_import", "Wh", decimals(Math.floor(registersWh[i]), 0), "register"));
            }
            if (solar != null) {
                site(ts, stepMillis, load, voltage, grid, panels, storage);
            }
        }
        StringWriter out = new StringWriter(count * appliances.size() * 420);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("gateway", name + "-gw");
            json.writeArrayFieldStart("nodes");
            if (solar != null) {
                node(json, "grid", "Grid connection", "electricity_meter", "main", grid);
                node(json, "solar", "Solar panels", "electricity_meter", "solar", panels);
            }
            if (batteryWh > 0) {
                node(json, "battery", "Battery", "electricity_meter", "battery", storage);
            }
            for (int i = 0; i < appliances.size(); i++) {
                String category = appliances.get(i).kind().category;
                node(json, "plug-" + (i + 1), category.replace('_', ' '), "smart_plug", category, points.get(i));
            }
            json.writeEndArray();
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.toString();
    }

    /**
     * The panels, the battery and the grid connection at one moment, from what the appliances draw: the battery
     * takes the panels' surplus while it has room and covers the shortfall while it holds more than a tenth of its
     * capacity; the grid meter sees the rest, both ways.
     */
    private void site(
            long ts,
            long stepMillis,
            double load,
            double voltage,
            List<Point> grid,
            List<Point> panels,
            List<Point> storage) {
        double hours = (lastSiteTs == 0 ? stepMillis : ts - lastSiteTs) / 3_600_000.0;
        lastSiteTs = ts;
        double made = Objects.requireNonNull(solar).power(ts);
        double battery = 0; // positive: discharging
        if (batteryWh > 0 && hours > 0) {
            double surplus = made - load;
            if (surplus > 0) {
                battery = -Math.min(Math.min(surplus, batteryMaxW), (batteryWh - chargeWh) / hours);
            } else {
                battery = Math.min(Math.min(-surplus, batteryMaxW), Math.max(0, chargeWh - 0.1 * batteryWh) / hours);
            }
            chargeWh -= battery * hours;
        }
        double net = load - made - battery;
        gridImportWh += Math.max(net, 0) * hours;
        gridExportWh += Math.max(-net, 0) * hours;
        solarWh += made * hours;
        grid.add(new Point(ts, "active_power", "W", decimals(net, 1), null));
        grid.add(new Point(ts, "voltage", "V", decimals(voltage, 1), null));
        grid.add(new Point(ts, "energy_import", "Wh", decimals(Math.floor(gridImportWh), 0), "register"));
        grid.add(new Point(ts, "energy_export", "Wh", decimals(Math.floor(gridExportWh), 0), "register"));
        panels.add(new Point(ts, "active_power", "W", decimals(made, 1), null));
        panels.add(new Point(ts, "energy_export", "Wh", decimals(Math.floor(solarWh), 0), "register"));
        if (batteryWh > 0) {
            storage.add(new Point(ts, "active_power", "W", decimals(battery, 1), null));
            storage.add(new Point(ts, "state_of_charge", "%", decimals(100 * chargeWh / batteryWh, 1), null));
        }
    }

    private static void node(
            JsonGenerator json, String id, String name, String type, String category, List<Point> points)
            throws IOException {
        json.writeStartObject();
        json.writeStringField("id", id);
        json.writeStringField("name", name);
        json.writeStringField("type", type);
        json.writeStringField("category", category);
        json.writeArrayFieldStart("readings");
        for (Point r : points) {
            json.writeStartObject();
            json.writeNumberField("ts", r.ts());
            json.writeStringField("quantity", r.quantity());
            json.writeStringField("unit", r.unit());
            json.writeFieldName("value");
            json.writeNumber(r.value());
            if (r.kind() != null) {
                json.writeStringField("kind", r.kind());
            }
            json.writeEndObject();
        }
        json.writeEndArray();
        json.writeEndObject();
    }

    /** How many readings one moment of this home makes (for counting what a backfill sent). */
    public int readingsPerMoment() {
        return appliances.size() * 5 + (solar != null ? 6 : 0) + (batteryWh > 0 ? 2 : 0);
    }

    private static final JsonFactory JSON = new JsonFactory();

    /** A value with a fixed number of decimals, as the plug reports it. */
    private static String decimals(double value, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }
}
