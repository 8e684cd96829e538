package io.meterbase.store.postgres;

import io.meterbase.core.model.Quality;
import io.meterbase.core.model.Reading;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One channel's readings of one UTC day as the columns of a {@code readings_packed} row (migration V12): times as the
 * first reading's offset from the day's start and one step in milliseconds when they are evenly spaced (most
 * meters), else as deltas in milliseconds (the first from the day's start; {@code first} and {@code step} then 0);
 * values as integers over one decimal divisor when every
 * value of the day is exactly such a decimal ({@code small} when they fit a smallint, else {@code scaled}), else as
 * doubles ({@code raw}); one quality for the row, or one per reading ({@code qualities}) when they differ. Lossless:
 * {@link #readings()} gives back the very doubles that were packed, as does the SQL function {@code
 * meterbase_unpack}, which divides the same integers by the same divisor.
 */
record PackedDay(
        int channelId,
        long dayStart,
        @Nullable Short quality,
        @Nullable Double divisor,
        int first,
        int step,
        int @Nullable [] deltas,
        short @Nullable [] small,
        int @Nullable [] scaled,
        double @Nullable [] raw,
        short @Nullable [] qualities) {

    static final long DAY = 86_400_000L;
    private static final double[] DIVISORS = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000};

    int size() {
        if (small != null) {
            return small.length;
        }
        if (scaled != null) {
            return scaled.length;
        }
        return raw == null ? 0 : raw.length;
    }

    /** Packs readings of one channel and one day, oldest first, each timestamp once. */
    static PackedDay pack(int channelId, long dayStart, List<Reading> readings) {
        int n = readings.size();
        if (n == 0) {
            throw new IllegalArgumentException("readings: a packed day holds at least one reading");
        }
        int[] deltas = new int[n];
        long previous = dayStart;
        Quality first = readings.get(0).quality();
        boolean oneQuality = true;
        for (int i = 0; i < n; i++) {
            Reading r = readings.get(i);
            long delta = r.timestamp() - previous;
            if (r.channelId() != channelId || r.timestamp() >= dayStart + DAY || delta < 0 || (i > 0 && delta == 0)) {
                throw new IllegalArgumentException("readings: not one channel's day in time order: " + r);
            }
            deltas[i] = (int) delta;
            previous = r.timestamp();
            oneQuality &= r.quality() == first;
        }
        Short quality = oneQuality ? (short) first.ordinal() : null;
        boolean even = true;
        for (int i = 2; i < n; i++) {
            even &= deltas[i] == deltas[1];
        }
        int offset = even ? deltas[0] : 0;
        int step = even && n > 1 ? deltas[1] : 0;
        int[] times = even ? null : deltas;
        short[] qualities = null;
        if (!oneQuality) {
            qualities = new short[n];
            for (int i = 0; i < n; i++) {
                qualities[i] = (short) readings.get(i).quality().ordinal();
            }
        }
        for (double divisor : DIVISORS) {
            long[] ints = decimals(readings, divisor);
            if (ints != null) {
                boolean fitsShort = true;
                for (long v : ints) {
                    fitsShort &= v >= Short.MIN_VALUE && v <= Short.MAX_VALUE;
                }
                if (fitsShort) {
                    short[] small = new short[n];
                    for (int i = 0; i < n; i++) {
                        small[i] = (short) ints[i];
                    }
                    return new PackedDay(
                            channelId, dayStart, quality, divisor, offset, step, times, small, null, null, qualities);
                }
                int[] scaled = new int[n];
                for (int i = 0; i < n; i++) {
                    scaled[i] = (int) ints[i];
                }
                return new PackedDay(
                        channelId, dayStart, quality, divisor, offset, step, times, null, scaled, null, qualities);
            }
        }
        double[] raw = new double[n];
        for (int i = 0; i < n; i++) {
            raw[i] = readings.get(i).value();
        }
        return new PackedDay(channelId, dayStart, quality, null, offset, step, times, null, null, raw, qualities);
    }

    /**
     * The values as integers over {@code divisor} when each one is exactly such an integer divided by it (bit for
     * bit, so -0.0 is not) and fits an int; else null.
     */
    private static long @Nullable [] decimals(List<Reading> readings, double divisor) {
        long[] out = new long[readings.size()];
        for (int i = 0; i < out.length; i++) {
            double v = readings.get(i).value();
            double scaled = v * divisor;
            if (!(Math.abs(scaled) <= Integer.MAX_VALUE)) {
                return null;
            }
            long k = Math.round(scaled);
            if (Double.doubleToRawLongBits(k / divisor) != Double.doubleToRawLongBits(v)) {
                return null;
            }
            out[i] = k;
        }
        return out;
    }

    /** The readings packed, oldest first. */
    List<Reading> readings() {
        int n = size();
        List<Reading> out = new ArrayList<>(n);
        long ts = dayStart;
        for (int i = 0; i < n; i++) {
            if (deltas != null) {
                ts += deltas[i];
            } else {
                ts = dayStart + first + (long) i * step;
            }
            double value;
            if (small != null) {
                value = small[i] / divisorOrOne();
            } else if (scaled != null) {
                value = scaled[i] / divisorOrOne();
            } else {
                value = raw == null ? Double.NaN : raw[i];
            }
            int q = qualities != null ? qualities[i] : (quality == null ? 0 : quality);
            out.add(new Reading(channelId, ts, value, Quality.ofCode(q)));
        }
        return out;
    }

    private double divisorOrOne() {
        return divisor == null ? 1 : divisor;
    }

    /** The UTC day that holds {@code ts}, as the epoch millisecond of its start. */
    static long dayOf(long ts) {
        return Math.floorDiv(ts, DAY) * DAY;
    }
}
