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
import java.util.Random;
import org.jspecify.annotations.Nullable;

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
        for (int m = 0; m < count; m++) {
            long ts = from + m * stepMillis;
            LocalTime time = Instant.ofEpochMilli(ts).atZone(zone).toLocalTime();
            double voltage = 230 + 3 * Math.sin(ts / 3_600_000.0) + random.nextGaussian() * 0.8;
            for (int i = 0; i < appliances.size(); i++) {
                Appliance a = appliances.get(i);
                double power = relayOff[i] ? STANDBY_W : a.power(ts, time, stepMillis);
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
        }
        StringWriter out = new StringWriter(count * appliances.size() * 420);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("gateway", name + "-gw");
            json.writeArrayFieldStart("nodes");
            for (int i = 0; i < appliances.size(); i++) {
                Appliance a = appliances.get(i);
                json.writeStartObject();
                json.writeStringField("id", "plug-" + (i + 1));
                json.writeStringField("name", a.kind().category.replace('_', ' '));
                json.writeStringField("type", "smart_plug");
                json.writeStringField("category", a.kind().category);
                json.writeArrayFieldStart("readings");
                for (Point r : points.get(i)) {
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
            json.writeEndArray();
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.toString();
    }

    private static final JsonFactory JSON = new JsonFactory();

    /** A value with a fixed number of decimals, as the plug reports it. */
    private static String decimals(double value, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }
}
