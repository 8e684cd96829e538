package io.meterbase.analytics.eval;

import io.meterbase.analytics.incident.AnomalyDetector;
import io.meterbase.analytics.incident.AnomalyDetector.Kind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Anomaly detection on real water meters that nobody tuned it for. Each meter gives one 35-day window at a seeded
 * random day: 28 reference days, then 7 days examined. The window is examined as recorded (any anomaly found there is
 * a false alarm) and once per injected case (found at the injected hours: a hit; of the same kind elsewhere: a false
 * alarm). Cases: a spike of 150, 300 or 430 L in one hour; an hourly amount stuck for 12 hours; one negative hour; a
 * day of non-stop flow of 3, 10 or 30 L/h more; a day of twice or three times the use.
 *
 * <p>The meters are split in two by their order in the file: thresholds are chosen on the first half (even
 * positions; per kind, the settings with the best F1 among those right at least 60 % of the time) and reported on
 * the second, which took no part in the choice.
 */
public final class AnomalyEvaluation {

    static final int REFERENCE_DAYS = 28;
    static final int EXAMINED_DAYS = 7;

    /** One injected case: its kind and name, and how it changes a window (hours {@code [from, to)} changed). */
    record Case(Kind kind, String name, Injection injection) {}

    /** Changes a window in place, returning the hours changed as {@code {from, to}}. */
    interface Injection {
        int[] apply(double[] window, Random random);
    }

    /** Hits, false alarms and trials of one kind or case. */
    public record Score(int hits, int falseAlarms, int trials) {

        public double recall() {
            return trials == 0 ? Double.NaN : (double) hits / trials;
        }

        public double precision() {
            return hits + falseAlarms == 0 ? Double.NaN : (double) hits / (hits + falseAlarms);
        }

        public double f1() {
            double p = precision();
            double r = recall();
            return Double.isNaN(p) || p + r == 0 ? 0 : 2 * p * r / (p + r);
        }

        Score plus(Score o) {
            return new Score(hits + o.hits, falseAlarms + o.falseAlarms, trials + o.trials);
        }
    }

    /** The scores of one run: per kind (pooled over its cases) and per case. */
    public record Result(Map<Kind, Score> byKind, Map<String, Score> byCase) {

        /** The score of a kind, pooled over its cases. */
        public Score of(Kind kind) {
            return byKind.getOrDefault(kind, new Score(0, 0, 0));
        }
    }

    static final List<Case> CASES = List.of(
            new Case(Kind.SPIKE, "spike +150 L in 1 h", spike(150)),
            new Case(Kind.SPIKE, "spike +300 L in 1 h", spike(300)),
            new Case(Kind.SPIKE, "spike +430 L in 1 h", spike(430)),
            new Case(Kind.STUCK, "stuck for 12 h", AnomalyEvaluation::stuck),
            new Case(Kind.NEGATIVE, "negative hour (-20 L)", AnomalyEvaluation::negative),
            new Case(Kind.CONSTANT_FLOW, "non-stop +3 L/h for 24 h", constant(3)),
            new Case(Kind.CONSTANT_FLOW, "non-stop +10 L/h for 24 h", constant(10)),
            new Case(Kind.CONSTANT_FLOW, "non-stop +30 L/h for 24 h", constant(30)),
            new Case(Kind.UNUSUAL_DAY, "a day of 2x use", day(2)),
            new Case(Kind.UNUSUAL_DAY, "a day of 3x use", day(3)));

    private AnomalyEvaluation() {}

    /** Meters with enough history for a window, half their hours known. */
    public static List<WaterMeters.Meter> usable(List<WaterMeters.Meter> meters) {
        int days = 7 + REFERENCE_DAYS + EXAMINED_DAYS + 1;
        return meters.stream()
                .filter(m -> m.litresPerHour().length >= days * 24 && m.knownHours() > m.litresPerHour().length / 2)
                .toList();
    }

    /** The tuning half (even positions) or the held-out half (odd positions) of the usable meters. */
    public static List<WaterMeters.Meter> half(List<WaterMeters.Meter> usable, boolean tuning) {
        List<WaterMeters.Meter> out = new ArrayList<>();
        for (int i = tuning ? 0 : 1; i < usable.size(); i += 2) {
            out.add(usable.get(i));
        }
        return out;
    }

    /** Scores a detector on the meters' windows. */
    public static Result evaluate(List<WaterMeters.Meter> meters, AnomalyDetector detector) {
        Map<Kind, Score> byKind = new EnumMap<>(Kind.class);
        Map<String, Score> byCase = new java.util.LinkedHashMap<>();
        int from = REFERENCE_DAYS * 24;
        for (WaterMeters.Meter m : meters) {
            double[] window = window(m, new Random(m.key().hashCode()));
            List<AnomalyDetector.Anomaly> clean = detector.detect(window, from);
            for (Case c : CASES) {
                double[] injected = window.clone();
                int[] hours = c.injection()
                        .apply(
                                injected,
                                new Random(31L * m.key().hashCode() + c.name().hashCode()));
                List<AnomalyDetector.Anomaly> found = detector.detect(injected, from);
                boolean hit = found.stream()
                        .anyMatch(a -> a.kind() == c.kind() && a.startHour() <= hours[1] && a.endHour() >= hours[0]);
                long elsewhere = found.stream()
                        .filter(a -> a.kind() == c.kind() && (a.startHour() > hours[1] || a.endHour() < hours[0]))
                        .count();
                long inClean = clean.stream().filter(a -> a.kind() == c.kind()).count();
                // a clean window counts once per case of its kind, as it is tried once per case
                Score s = new Score(hit ? 1 : 0, (int) (Math.min(1, elsewhere) + Math.min(1, inClean)), 1);
                byKind.merge(c.kind(), s, Score::plus);
                byCase.merge(c.name(), s, Score::plus);
            }
        }
        return new Result(byKind, byCase);
    }

    /** The settings with the best F1 per kind on the tuning meters: each kind's own parameters, the others fixed. */
    public static AnomalyDetector.Settings choose(List<WaterMeters.Meter> tuning, AnomalyDetector.Settings start) {
        AnomalyDetector.Settings s = start;
        List<AnomalyDetector.Settings> spike = new ArrayList<>();
        for (double f : new double[] {1.0, 1.25, 1.5, 2.0, 3.0}) {
            spike.add(new AnomalyDetector.Settings(
                    s.referenceDays(),
                    f,
                    s.spikeFloor(),
                    s.stuckHours(),
                    s.constantHours(),
                    s.constantFlow(),
                    s.constantMargin(),
                    s.dayFactor(),
                    s.dayZ()));
        }
        s = best(tuning, Kind.SPIKE, spike);
        List<AnomalyDetector.Settings> stuck = new ArrayList<>();
        for (int hours : new int[] {3, 4, 6, 8, 12}) {
            stuck.add(new AnomalyDetector.Settings(
                    s.referenceDays(),
                    s.spikeFactor(),
                    s.spikeFloor(),
                    hours,
                    s.constantHours(),
                    s.constantFlow(),
                    s.constantMargin(),
                    s.dayFactor(),
                    s.dayZ()));
        }
        s = best(tuning, Kind.STUCK, stuck);
        List<AnomalyDetector.Settings> constant = new ArrayList<>();
        for (double flow : new double[] {0.5, 1.0, 2.0, 4.0}) {
            for (double margin : new double[] {1.25, 1.5, 2.0}) {
                constant.add(new AnomalyDetector.Settings(
                        s.referenceDays(),
                        s.spikeFactor(),
                        s.spikeFloor(),
                        s.stuckHours(),
                        s.constantHours(),
                        flow,
                        margin,
                        s.dayFactor(),
                        s.dayZ()));
            }
        }
        s = best(tuning, Kind.CONSTANT_FLOW, constant);
        List<AnomalyDetector.Settings> day = new ArrayList<>();
        for (double factor : new double[] {1.25, 1.5, 2.0}) {
            for (double z : new double[] {1.5, 2.0, 3.0, 4.0}) {
                day.add(new AnomalyDetector.Settings(
                        s.referenceDays(),
                        s.spikeFactor(),
                        s.spikeFloor(),
                        s.stuckHours(),
                        s.constantHours(),
                        s.constantFlow(),
                        s.constantMargin(),
                        factor,
                        z));
            }
        }
        return best(tuning, Kind.UNUSUAL_DAY, day);
    }

    /** Alarms users can trust: a candidate must be right at least this often on the tuning meters. */
    static final double MIN_PRECISION = 0.6;

    /**
     * The candidate with the best F1 of the kind on the tuning meters among those with a precision of at least
     * {@link #MIN_PRECISION} (the first of equals; the most precise when none reaches it).
     */
    private static AnomalyDetector.Settings best(
            List<WaterMeters.Meter> tuning, Kind kind, List<AnomalyDetector.Settings> candidates) {
        AnomalyDetector.Settings best = candidates.get(0);
        double bestF1 = -1;
        for (AnomalyDetector.Settings s : candidates) {
            Score score = evaluate(tuning, new AnomalyDetector(s)).of(kind);
            System.out.printf(
                    Locale.ROOT,
                    "    tuning %-13s %-40s precision %5.1f %%, recall %5.1f %%, F1 %.3f%n",
                    kind.type(),
                    parameters(kind, s),
                    100 * score.precision(),
                    100 * score.recall(),
                    score.f1());
            // candidates below the precision floor rank after all above it, by precision
            double rank = score.precision() >= MIN_PRECISION ? 1 + score.f1() : score.precision();
            if (rank > bestF1) {
                bestF1 = rank;
                best = s;
            }
        }
        return best;
    }

    private static String parameters(Kind kind, AnomalyDetector.Settings s) {
        return switch (kind) {
            case SPIKE -> "spikeFactor " + s.spikeFactor();
            case STUCK -> "stuckHours " + s.stuckHours();
            case CONSTANT_FLOW -> "constantFlow " + s.constantFlow() + ", margin " + s.constantMargin();
            case UNUSUAL_DAY -> "dayFactor " + s.dayFactor() + ", dayZ " + s.dayZ();
            case NEGATIVE -> "";
        };
    }

    /** Chooses on the tuning half, reports on the held-out half. */
    public static void run(List<WaterMeters.Meter> meters) {
        List<WaterMeters.Meter> usable = usable(meters);
        List<WaterMeters.Meter> tuning = half(usable, true);
        List<WaterMeters.Meter> heldOut = half(usable, false);
        System.out.printf(
                Locale.ROOT,
                "Anomaly detection, DAIAD trial A: %d usable meters, %d to choose thresholds, %d held out%n",
                usable.size(),
                tuning.size(),
                heldOut.size());
        AnomalyDetector.Settings chosen = choose(tuning, AnomalyDetector.Settings.water());
        System.out.println("  chosen: " + chosen);
        System.out.println("  defaults in the code: " + AnomalyDetector.Settings.water());
        Result r = evaluate(heldOut, new AnomalyDetector(AnomalyDetector.Settings.water()));
        System.out.println("  held-out meters, the defaults in the code:");
        r.byKind()
                .forEach((k, s) -> System.out.printf(
                        Locale.ROOT,
                        "    %-13s precision %5.1f %%, recall %5.1f %% (%d hits, %d false alarms, %d trials)%n",
                        k.type(),
                        100 * s.precision(),
                        100 * s.recall(),
                        s.hits(),
                        s.falseAlarms(),
                        s.trials()));
        r.byCase()
                .forEach((name, s) -> System.out.printf(
                        Locale.ROOT,
                        "      %-28s recall %5.1f %% (%d of %d)%n",
                        name,
                        100 * s.recall(),
                        s.hits(),
                        s.trials()));
    }

    /** A 35-day window of the meter at a random whole day (after its first 7 days). */
    static double[] window(WaterMeters.Meter m, Random r) {
        int days = m.litresPerHour().length / 24;
        int span = REFERENCE_DAYS + EXAMINED_DAYS;
        int start = 7 + r.nextInt(Math.max(1, days - 7 - span));
        return Arrays.copyOfRange(m.litresPerHour(), start * 24, (start + span) * 24);
    }

    /** A random hour of the examined days. */
    private static int examinedHour(Random r, int margin) {
        return REFERENCE_DAYS * 24 + r.nextInt(EXAMINED_DAYS * 24 - margin);
    }

    private static Injection spike(double litres) {
        return (w, r) -> {
            int h = examinedHour(r, 1);
            w[h] = (Double.isNaN(w[h]) ? 0 : w[h]) + litres;
            return new int[] {h, h + 1};
        };
    }

    private static int[] stuck(double[] w, Random r) {
        int h = examinedHour(r, 12);
        double sum = 0;
        int n = 0;
        for (double v : w) {
            if (v > 0) {
                sum += v;
                n++;
            }
        }
        double value = n == 0 ? 5 : Math.max(1, Math.round(sum / n));
        Arrays.fill(w, h, h + 12, value);
        return new int[] {h, h + 12};
    }

    private static int[] negative(double[] w, Random r) {
        int h = examinedHour(r, 1);
        w[h] = -20;
        return new int[] {h, h + 1};
    }

    private static Injection constant(double flow) {
        return (w, r) -> {
            int h = examinedHour(r, 24);
            for (int i = h; i < h + 24; i++) {
                w[i] = (Double.isNaN(w[i]) ? 0 : w[i]) + flow;
            }
            return new int[] {h, h + 24};
        };
    }

    private static Injection day(double factor) {
        return (w, r) -> {
            int d = REFERENCE_DAYS + r.nextInt(EXAMINED_DAYS);
            for (int i = d * 24; i < d * 24 + 24; i++) {
                if (!Double.isNaN(w[i])) {
                    w[i] *= factor;
                }
            }
            return new int[] {d * 24, d * 24 + 24};
        };
    }
}
