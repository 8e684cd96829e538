package io.meterbase.simulator;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.SplittableRandom;

/**
 * Rooftop solar panels of a given peak power at about 40° north (Madrid): a clear-sky day whose length and sun
 * height follow the season, dimmed by each day's clouds and by clouds passing within the day. The power is a function
 * of the moment alone (no state), so an hour of history and its minutes agree. Over a year the panels make about
 * 1,430 kWh per kWp, the yield of a south-facing roof in central Spain (Ausgrid's Sydney home in
 * {@code ../shared/data/ausgrid-solar-home} made 1,250 kWh per kWp in 2011-12).
 */
public final class SolarPanels {

    /** Losses between the panels' rating and the inverter's output (heat, wiring, dust, conversion). */
    private static final double PERFORMANCE = 0.9;

    private final double peakWatts;
    private final long seed;
    private final ZoneId zone;

    public SolarPanels(double peakWatts, long seed, ZoneId zone) {
        this.peakWatts = peakWatts;
        this.seed = seed;
        this.zone = zone;
    }

    public double peakWatts() {
        return peakWatts;
    }

    /** The power the inverter gives at {@code epochMillis}, in W (0 at night). */
    public double power(long epochMillis) {
        ZonedDateTime t = Instant.ofEpochMilli(epochMillis).atZone(zone);
        double season = Math.sin(2 * Math.PI * (t.getDayOfYear() - 80) / 365.25); // -1 in December, 1 in June
        double dayHours = 12 + 3 * season;
        double summerTime = zone.getRules().isDaylightSavings(t.toInstant()) ? 1 : 0;
        double noon = 13.2 + summerTime;
        double hour = t.getHour() + t.getMinute() / 60.0 + t.getSecond() / 3600.0;
        double x = (hour - (noon - dayHours / 2)) / dayHours;
        if (x <= 0 || x >= 1) {
            return 0;
        }
        double height = 0.8 + 0.2 * season; // the winter sun is low (tilted panels see it less low)
        double clearSky = Math.pow(Math.sin(Math.PI * x), 1.2) * height;
        long day = Math.floorDiv(epochMillis + t.getOffset().getTotalSeconds() * 1000L, 86_400_000L);
        double daily = 0.6 + 0.4 * uniform(day, 1); // overcast to clear
        double passing = 1 - (1 - daily) * 0.8 * smoothNoise(epochMillis / 600_000.0, day);
        return Math.max(0, peakWatts * PERFORMANCE * clearSky * daily * passing);
    }

    /** A value in [0, 1) drawn for a key, the same every time. */
    private double uniform(long key, long salt) {
        return new SplittableRandom(seed * 1_000_003L ^ key * 31L ^ salt).nextDouble();
    }

    /** Noise in [0, 1) that changes smoothly: values drawn every ten minutes, joined by a cosine. */
    private double smoothNoise(double tenMinutes, long day) {
        long k = (long) Math.floor(tenMinutes);
        double f = tenMinutes - k;
        double a = uniform(k, 7 + day);
        double b = uniform(k + 1, 7 + day);
        double w = (1 - Math.cos(Math.PI * f)) / 2;
        return a * (1 - w) + b * w;
    }
}
