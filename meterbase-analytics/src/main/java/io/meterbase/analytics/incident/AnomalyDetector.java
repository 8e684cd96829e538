package io.meterbase.analytics.incident;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Statistical anomalies in one meter's hourly consumption, of any commodity, each judged against the meter's own
 * behaviour in the reference days before the hours examined (a seasonal-naive forecast interval: nothing is tuned
 * per meter, so it holds on meters nobody looked at):
 *
 * <ul>
 *   <li>{@link Kind#SPIKE}: an hour above {@code spikeFactor} times the reference's 99th percentile hour (and above
 *       {@code spikeFloor});
 *   <li>{@link Kind#STUCK}: the same non-zero amount {@code stuckHours} hours in a row or more (a stuck interval
 *       value; real use varies), longer than any such run in the reference;
 *   <li>{@link Kind#NEGATIVE}: a negative amount (a meter or a data path that runs backwards);
 *   <li>{@link Kind#CONSTANT_FLOW}: {@code constantHours} hours in a row, none below {@code constantFlow} and none
 *       below {@code constantMargin} times the highest such floor of the reference (a day of non-stop use: a running
 *       tap, a gas appliance that does not switch off);
 *   <li>{@link Kind#UNUSUAL_DAY}: a day's total above {@code dayFactor} times the reference's median day and more
 *       than {@code dayZ} robust deviations (MAD) above it.
 * </ul>
 *
 * The settings' defaults were chosen on half of the DAIAD water meters with injected anomalies and are reported on
 * the other half (docs/analytics.md, {@code scripts/evaluate}).
 */
public final class AnomalyDetector {

    /** What was found. */
    public enum Kind {
        SPIKE,
        STUCK,
        NEGATIVE,
        CONSTANT_FLOW,
        UNUSUAL_DAY;

        /** The incident type, e.g. {@code unusual_day}. */
        public String type() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The detector's settings; amounts in the meter's unit per hour. */
    public record Settings(
            int referenceDays,
            double spikeFactor,
            double spikeFloor,
            int stuckHours,
            int constantHours,
            double constantFlow,
            double constantMargin,
            double dayFactor,
            double dayZ) {

        /** Water in litres: chosen on the tuning half of the DAIAD meters (docs/analytics.md). */
        public static Settings water() {
            return new Settings(28, 2.0, 20, 8, 24, 2.0, 1.25, 2.0, 3.0);
        }

        /** The same rules scaled to another unit: {@code scale} of it is one litre's worth of water's floors. */
        public Settings scaled(double scale) {
            return new Settings(
                    referenceDays,
                    spikeFactor,
                    spikeFloor * scale,
                    stuckHours,
                    constantHours,
                    constantFlow * scale,
                    constantMargin,
                    dayFactor,
                    dayZ);
        }
    }

    /**
     * An anomaly in hours {@code [startHour, endHour)} of the series: its kind, a confidence in [0, 1], what was
     * observed and what the reference let expect at most, and the evidence in words.
     */
    public record Anomaly(
            Kind kind,
            int startHour,
            int endHour,
            double confidence,
            double observed,
            double expected,
            String evidence) {}

    private final Settings settings;

    public AnomalyDetector(Settings settings) {
        this.settings = settings;
    }

    public Settings settings() {
        return settings;
    }

    /** Hours of history needed before the first hour examined. */
    public int referenceHours() {
        return settings.referenceDays() * 24;
    }

    /**
     * The anomalies in hours {@code [from, y.length)} of a series whose hour 0 starts a local day (NaN where
     * unknown), judged against the {@link #referenceHours()} before {@code from} (fewer at the series' start).
     */
    public List<Anomaly> detect(double[] y, int from) {
        int start = Math.max(0, from);
        Reference ref = Reference.of(y, Math.max(0, start - referenceHours()), start, settings);
        List<Anomaly> out = new ArrayList<>();
        negatives(y, start, out); // never normal, whatever the history
        if (ref.known < 7 * 24) {
            return out; // too little history to say what is unusual for this meter
        }
        spikes(y, start, ref, out);
        stuck(y, start, ref, out);
        constantFlow(y, start, ref, out);
        unusualDays(y, start, ref, out);
        return out;
    }

    private void negatives(double[] y, int from, List<Anomaly> out) {
        for (int t = from; t < y.length; t++) {
            if (y[t] < 0) {
                out.add(new Anomaly(
                        Kind.NEGATIVE,
                        t,
                        t + 1,
                        1.0,
                        y[t],
                        0,
                        String.format(Locale.ROOT, "%.1f in one hour: consumption is never negative", y[t])));
            }
        }
    }

    private void spikes(double[] y, int from, Reference ref, List<Anomaly> out) {
        double limit = Math.max(settings.spikeFactor() * ref.p99, settings.spikeFloor());
        for (int t = from; t < y.length; t++) {
            if (y[t] > limit) {
                out.add(new Anomaly(
                        Kind.SPIKE,
                        t,
                        t + 1,
                        confidence(y[t] / limit),
                        y[t],
                        limit,
                        String.format(
                                Locale.ROOT,
                                "%.1f in one hour, %.1f times this meter's busiest hours of the last %d days (%.1f)",
                                y[t],
                                ref.p99 > 0 ? y[t] / ref.p99 : Double.POSITIVE_INFINITY,
                                settings.referenceDays(),
                                ref.p99)));
            }
        }
    }

    private void stuck(double[] y, int from, Reference ref, List<Anomaly> out) {
        int need = Math.max(settings.stuckHours(), ref.longestRepeat + 1);
        int t = from;
        while (t < y.length) {
            int end = repeatEnd(y, t);
            int length = end - t;
            if (length >= need) {
                out.add(new Anomaly(
                        Kind.STUCK,
                        t,
                        end,
                        confidence((double) length / need),
                        y[t],
                        ref.longestRepeat,
                        String.format(
                                Locale.ROOT,
                                "exactly %.3f every hour for %d hours; the longest such run in the last %d days was %d",
                                y[t],
                                length,
                                settings.referenceDays(),
                                ref.longestRepeat)));
            }
            t = Math.max(end, t + 1);
        }
    }

    /** The end of the run of equal, non-zero, known values that starts at {@code t}. */
    static int repeatEnd(double[] y, int t) {
        if (Double.isNaN(y[t]) || y[t] == 0) {
            return t + 1;
        }
        int end = t + 1;
        while (end < y.length && y[end] == y[t]) {
            end++;
        }
        return end;
    }

    private void constantFlow(double[] y, int from, Reference ref, List<Anomaly> out) {
        int w = settings.constantHours();
        double floor = Math.max(settings.constantFlow(), settings.constantMargin() * ref.highestFloor);
        int t = Math.max(from, 0);
        while (t + w <= y.length) {
            double min = windowMin(y, t, w);
            if (min >= floor) {
                int end = t + w;
                while (end < y.length && !Double.isNaN(y[end]) && y[end] >= floor) {
                    end++;
                }
                out.add(new Anomaly(
                        Kind.CONSTANT_FLOW,
                        t,
                        end,
                        confidence(min / floor),
                        min,
                        ref.highestFloor,
                        String.format(
                                Locale.ROOT,
                                "at least %.1f every hour for %d hours; the highest such floor over %d hours in the"
                                        + " last %d days was %.1f",
                                min,
                                end - t,
                                w,
                                settings.referenceDays(),
                                ref.highestFloor)));
                t = end;
            } else {
                t++;
            }
        }
    }

    private void unusualDays(double[] y, int from, Reference ref, List<Anomaly> out) {
        int firstDay = (from + 23) / 24;
        double limit =
                Math.max(settings.dayFactor() * ref.medianDay, ref.medianDay + settings.dayZ() * 1.4826 * ref.madDay);
        if (!(limit > 0)) {
            return;
        }
        for (int d = firstDay; (d + 1) * 24 <= y.length; d++) {
            double total = dayTotal(y, d * 24);
            if (total > limit) {
                out.add(new Anomaly(
                        Kind.UNUSUAL_DAY,
                        d * 24,
                        d * 24 + 24,
                        confidence(total / limit),
                        total,
                        limit,
                        String.format(
                                Locale.ROOT,
                                "%.1f in the day; a usual day of the last %d days uses %.1f (median), %.1f at most"
                                        + " expected",
                                total,
                                settings.referenceDays(),
                                ref.medianDay,
                                limit)));
            }
        }
    }

    /** A confidence from how far over its limit a figure is: 0.5 at the limit, 1 at twice the limit. */
    private static double confidence(double ratio) {
        return Math.max(0.5, Math.min(1.0, ratio / 2));
    }

    private static double windowMin(double[] y, int from, int w) {
        double min = Double.POSITIVE_INFINITY;
        for (int i = from; i < from + w; i++) {
            if (Double.isNaN(y[i])) {
                return Double.NEGATIVE_INFINITY;
            }
            min = Math.min(min, y[i]);
        }
        return min;
    }

    /** A day's total, NaN when more than six of its hours are unknown (unknown hours count as the day's mean). */
    public static double dayTotal(double[] y, int from) {
        double sum = 0;
        int known = 0;
        for (int i = from; i < from + 24; i++) {
            if (!Double.isNaN(y[i])) {
                sum += Math.max(0, y[i]);
                known++;
            }
        }
        return known < 18 ? Double.NaN : sum * 24 / known;
    }

    /** What the reference days say about the meter. */
    private record Reference(
            int known, double p99, int longestRepeat, double highestFloor, double medianDay, double madDay) {

        static Reference of(double[] y, int from, int to, Settings s) {
            double[] hours = Arrays.stream(y, from, to)
                    .filter(v -> !Double.isNaN(v))
                    .map(v -> Math.max(0, v))
                    .sorted()
                    .toArray();
            int known = hours.length;
            double p99 = known == 0 ? 0 : hours[Math.min(known - 1, (int) Math.floor(0.99 * known))];
            int longest = 0;
            for (int t = from; t < to; ) {
                int end = Math.min(repeatEnd(y, t), to);
                longest = Math.max(longest, end - t);
                t = Math.max(end, t + 1);
            }
            double floor = 0;
            for (int t = from; t + s.constantHours() <= to; t++) {
                floor = Math.max(floor, windowMin(y, t, s.constantHours()));
            }
            List<Double> days = new ArrayList<>();
            for (int d = (from + 23) / 24; (d + 1) * 24 <= to; d++) {
                double total = dayTotal(y, d * 24);
                if (!Double.isNaN(total)) {
                    days.add(total);
                }
            }
            double median = median(days);
            List<Double> deviations =
                    days.stream().map(v -> Math.abs(v - median)).toList();
            return new Reference(known, p99, longest, floor, median, median(deviations));
        }

        private static double median(List<Double> values) {
            if (values.isEmpty()) {
                return Double.NaN;
            }
            double[] v =
                    values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            int n = v.length;
            return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
        }
    }
}
