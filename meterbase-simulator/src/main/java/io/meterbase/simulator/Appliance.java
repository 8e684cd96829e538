package io.meterbase.simulator;

import java.time.LocalTime;
import java.util.Random;

/**
 * A simulated appliance behind a smart plug: how much power it draws at a given moment. Each kind follows its
 * usual daily pattern: a fridge's compressor cycles, a kettle boils a few times a day, the air conditioner runs
 * in the afternoon and evening, the water heater heats in the morning and evening, lights burn after dark.
 */
public final class Appliance {

    /** The kinds of appliance and their names as categories. */
    public enum Kind {
        FRIDGE("fridge", 0.85),
        KETTLE("kettle", 1.0),
        AIR_CONDITIONER("air_conditioner", 0.9),
        WATER_HEATER("water_heater", 1.0),
        LIGHTING("lighting", 0.6),
        TV("tv", 0.7),
        WASHING_MACHINE("washing_machine", 0.8),
        EV_CHARGER("ev_charger", 0.98);

        final String category;
        final double powerFactor;

        Kind(String category, double powerFactor) {
            this.category = category;
            this.powerFactor = powerFactor;
        }
    }

    private final Kind kind;
    private final Random random;
    private final double scale;
    private final double phase;
    private long busyUntil;
    private double busyPower;

    public Appliance(Kind kind, long seed) {
        this.kind = kind;
        this.random = new Random(seed);
        this.scale = 0.8 + random.nextDouble() * 0.4;
        this.phase = random.nextDouble();
    }

    public Kind kind() {
        return kind;
    }

    /**
     * The power in W at {@code epochMillis} (local time {@code time}), advancing the appliance's state over a step of
     * {@code stepMillis}.
     */
    public double power(long epochMillis, LocalTime time, long stepMillis) {
        double hour = time.getHour() + time.getMinute() / 60.0;
        double p =
                switch (kind) {
                    case FRIDGE -> {
                        double cycle = ((epochMillis / 60_000.0) / 40.0 + phase) % 1.0;
                        yield cycle < 0.38 ? 110 * scale + random.nextGaussian() * 3 : 2;
                    }
                    case KETTLE -> burst(epochMillis, stepMillis, rate(hour, 7, 9, 0.04, 0.006), 180_000, 2000);
                    case AIR_CONDITIONER -> {
                        boolean season = hour >= 13 && hour < 23;
                        double cycle = ((epochMillis / 60_000.0) / 25.0 + phase) % 1.0;
                        yield season && cycle < 0.6 ? 900 * scale + random.nextGaussian() * 40 : 3;
                    }
                    case WATER_HEATER -> {
                        // heating after the morning and evening showers; the rest of the day the thermostat makes
                        // up the tank's losses: 15 minutes in every two hours (its share over a longer step)
                        if ((hour >= 6 && hour < 7.5) || (hour >= 19 && hour < 20.5)) {
                            yield 2000 * scale;
                        }
                        double cycle = ((epochMillis / 3_600_000.0) / 2.0 + phase) % 1.0;
                        yield stepMillis > 1_800_000 ? 2000 * scale * 0.125 : cycle < 0.125 ? 2000 * scale : 1.5;
                    }
                    case LIGHTING ->
                        hour >= 18 || hour < 0.5 || (hour >= 6.5 && hour < 8)
                                ? 60 * scale + random.nextGaussian() * 2
                                : 0.5;
                    case TV -> hour >= 19 && hour < 23 ? 85 * scale + random.nextGaussian() * 5 : 1;
                    case WASHING_MACHINE -> burst(epochMillis, stepMillis, rate(hour, 9, 20, 0.002, 0), 5_400_000, 500);
                    case EV_CHARGER -> {
                        // plugged in on coming home (18:00 to 21:00) and charging at once for 2 to 3.5 hours: the
                        // evening peak a feeder's demand response is for
                        double from = 18 + 3 * phase;
                        double length = 2 + 1.5 * (scale - 0.8) / 0.4;
                        double since = (hour - from + 24) % 24;
                        yield since < length ? 3700 : 0;
                    }
                };
        return Math.max(0, p);
    }

    private static double rate(double hour, double from, double to, double inside, double outside) {
        return hour >= from && hour < to ? inside : outside;
    }

    /**
     * A load that starts with probability {@code perMinute} each minute and then runs for {@code duration}. Over a
     * step longer than one run (hourly history), the power is the step's average: the expected share of it the load
     * runs, varied at random by ±50 %, so that a kettle's hour holds a few minutes of boiling, as its minutes do.
     */
    private double burst(long now, long step, double perMinute, long duration, double power) {
        double idle = kind == Kind.KETTLE ? 0 : 1.5;
        if (now < busyUntil) {
            return busyPower;
        }
        if (step > duration) {
            double share = Math.min(1.0, perMinute * step / 60_000.0 * duration / step * (0.5 + random.nextDouble()));
            return share * power + (1 - share) * idle;
        }
        if (random.nextDouble() < perMinute * step / 60_000.0) {
            busyUntil = now + duration;
            busyPower = power;
            return power;
        }
        return idle;
    }

    public double powerFactor() {
        return kind.powerFactor;
    }
}
