package io.meterbase.analytics.eval;

import io.meterbase.analytics.incident.LeakDetector;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Leak detection on real water meters with leaks injected: for each meter and each leak size, a 14-day window at a
 * random day (seeded) is taken twice — as recorded (should not be flagged) and with a constant flow added to every
 * known hour (should be flagged). The detector sees only the window. Bursts the same way: 600 L/h added for 4
 * hours at a random daytime hour. Also: the share of meters flagged anywhere in their whole recorded series.
 */
public final class LeakEvaluation {

    private static final int WINDOW_DAYS = 14;

    private LeakEvaluation() {}

    public static void run(List<WaterMeters.Meter> meters, LeakDetector detector) {
        List<WaterMeters.Meter> usable = meters.stream()
                .filter(m -> m.litresPerHour().length >= 60 * 24 && m.knownHours() > m.litresPerHour().length / 2)
                .toList();
        System.out.printf(
                Locale.ROOT,
                "DAIAD water meters (trial A): %d meters, %d with at least 60 days and half their hours known%n",
                meters.size(),
                usable.size());
        int falseAlarmsSmall = 0;
        int falseAlarmsBurst = 0;
        int truePositivesSmall = 0;
        int trialsSmall = 0;
        for (double leak : new double[] {2, 5, 10, 20}) {
            int found = 0;
            long delay = 0;
            int n = 0;
            for (int i = 0; i < usable.size(); i++) {
                WaterMeters.Meter m = usable.get(i);
                double[] window = window(m, new Random(i));
                if (has(detector.detect(window, m.first()), LeakDetector.Kind.SMALL_LEAK) && leak == 2) {
                    falseAlarmsSmall++; // counted once per meter: the recorded window is the same for every size
                }
                double[] injected = window.clone();
                for (int h = 0; h < injected.length; h++) {
                    if (!Double.isNaN(injected[h])) {
                        injected[h] += leak;
                    }
                }
                List<LeakDetector.Incident> got = detector.detect(injected, m.first());
                var first = got.stream()
                        .filter(x -> x.kind() == LeakDetector.Kind.SMALL_LEAK)
                        .findFirst();
                if (first.isPresent()) {
                    found++;
                    delay += first.get().detectedHour();
                }
                n++;
            }
            trialsSmall += n;
            truePositivesSmall += found;
            System.out.printf(
                    Locale.ROOT,
                    "  small leak %4.0f L/h: recall %5.1f %% (%d of %d windows), mean detection %.1f h after it began%n",
                    leak,
                    100.0 * found / n,
                    found,
                    n,
                    found == 0 ? 0 : (double) delay / found);
        }
        int burstFound = 0;
        for (int i = 0; i < usable.size(); i++) {
            WaterMeters.Meter m = usable.get(i);
            Random r = new Random(1000 + i);
            double[] window = window(m, new Random(i));
            if (has(detector.detect(window, m.first()), LeakDetector.Kind.PIPE_BURST)) {
                falseAlarmsBurst++;
            }
            double[] injected = window.clone();
            int start = 24 * r.nextInt(WINDOW_DAYS - 1) + 8 + r.nextInt(10);
            for (int h = start; h < start + 4; h++) {
                injected[h] = (Double.isNaN(injected[h]) ? 0 : injected[h]) + 600;
            }
            if (has(detector.detect(injected, m.first()), LeakDetector.Kind.PIPE_BURST)) {
                burstFound++;
            }
        }
        int negatives = usable.size();
        System.out.printf(
                Locale.ROOT,
                "  small leaks, all sizes: precision %.1f %% (%d detections in leaking windows, %d in %d recorded"
                        + " windows), recall %.1f %%%n",
                100.0 * truePositivesSmall / (truePositivesSmall + falseAlarmsSmall * 4.0),
                truePositivesSmall,
                falseAlarmsSmall,
                negatives,
                100.0 * truePositivesSmall / trialsSmall);
        System.out.printf(
                Locale.ROOT,
                "  pipe burst 600 L/h for 4 h: recall %.1f %% (%d of %d), false alarms in %d of %d recorded windows,"
                        + " precision %.1f %%%n",
                100.0 * burstFound / usable.size(),
                burstFound,
                usable.size(),
                falseAlarmsBurst,
                negatives,
                100.0 * burstFound / Math.max(1, burstFound + falseAlarmsBurst));
        int flaggedSmall = 0;
        int flaggedBurst = 0;
        for (WaterMeters.Meter m : usable) {
            List<LeakDetector.Incident> all = detector.detect(m.litresPerHour(), m.first());
            flaggedSmall += has(all, LeakDetector.Kind.SMALL_LEAK) ? 1 : 0;
            flaggedBurst += has(all, LeakDetector.Kind.PIPE_BURST) ? 1 : 0;
        }
        System.out.printf(
                Locale.ROOT,
                "  real meters flagged anywhere in their recorded series: small leak %d of %d (%.0f %%), burst %d"
                        + " (%.0f %%)%n",
                flaggedSmall,
                usable.size(),
                100.0 * flaggedSmall / usable.size(),
                flaggedBurst,
                100.0 * flaggedBurst / usable.size());
    }

    /** A 14-day window of the meter at a random whole day (after its first 7 days). */
    private static double[] window(WaterMeters.Meter m, Random r) {
        int days = m.litresPerHour().length / 24;
        int start = 7 + r.nextInt(Math.max(1, days - 7 - WINDOW_DAYS));
        return java.util.Arrays.copyOfRange(m.litresPerHour(), start * 24, (start + WINDOW_DAYS) * 24);
    }

    private static boolean has(List<LeakDetector.Incident> incidents, LeakDetector.Kind kind) {
        return incidents.stream().anyMatch(i -> i.kind() == kind);
    }
}
