package io.meterbase.analytics.incident;

import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Water leaks from hourly flow (litres per hour, NaN where unknown). A <b>small leak</b> (dripping tap, running
 * cistern) shows as water flowing in every hour of the night, when nobody uses any: every hour from
 * {@code nightFrom} to {@code nightTo} at or above {@code minNightFlow}, for {@code nights} nights in a row. A
 * <b>pipe burst</b> is a large flow that does not stop: at least {@code burstFlow} for {@code burstHours} hours in a
 * row. A night with an unknown hour counts as not leaking (and breaks the run).
 */
public final class LeakDetector {

    /** The detector's settings. */
    public record Settings(
            int nightFrom, int nightTo, double minNightFlow, int nights, double burstFlow, int burstHours) {

        /** 01:00–05:00, ≥ 1 L/h, 3 nights; bursts ≥ 500 L/h for 3 h. */
        public static Settings defaults() {
            return new Settings(1, 5, 1.0, 3, 500.0, 3);
        }
    }

    /** What was found. */
    public enum Kind {
        SMALL_LEAK,
        PIPE_BURST
    }

    /**
     * An incident: its kind, the hour it began (first leaking night, first hour of the burst), the hour it was
     * detected, a confidence in [0, 1], and the evidence in words (the data window and its flows).
     */
    public record Incident(Kind kind, int startHour, int detectedHour, double confidence, String evidence) {}

    private final Settings settings;

    public LeakDetector(Settings settings) {
        this.settings = settings;
    }

    /** The incidents in a series whose first value is the hour starting at {@code first} (a midnight). */
    public List<Incident> detect(double[] flow, LocalDateTime first) {
        List<Incident> out = new ArrayList<>();
        int streak = 0;
        int streakStart = -1;
        double streakMin = Double.MAX_VALUE;
        boolean reported = false;
        for (int day = 0; (day + 1) * 24 <= flow.length; day++) {
            double min = Double.MAX_VALUE;
            boolean known = true;
            for (int h = settings.nightFrom(); h < settings.nightTo(); h++) {
                double v = flow[day * 24 + h];
                if (Double.isNaN(v)) {
                    known = false;
                    break;
                }
                min = Math.min(min, v);
            }
            if (known && min >= settings.minNightFlow()) {
                if (streak == 0) {
                    streakStart = day * 24 + settings.nightFrom();
                    streakMin = Double.MAX_VALUE;
                }
                streak++;
                streakMin = Math.min(streakMin, min);
                if (streak >= settings.nights() && !reported) {
                    reported = true;
                    // more nights and a steadier flow than needed make it surer
                    double confidence = Math.min(1.0, 0.5 + 0.1 * streak + Math.min(0.3, streakMin / 20.0));
                    out.add(new Incident(
                            Kind.SMALL_LEAK,
                            streakStart,
                            day * 24 + settings.nightTo(),
                            confidence,
                            String.format(
                                    Locale.ROOT,
                                    "water flowed every night hour %02d:00-%02d:00 for %d nights from %s, at least"
                                            + " %.1f L/h",
                                    settings.nightFrom(),
                                    settings.nightTo(),
                                    streak,
                                    first.plusHours(streakStart).toLocalDate(),
                                    streakMin)));
                }
            } else {
                streak = 0;
                reported = false;
            }
        }
        int run = 0;
        for (int i = 0; i < flow.length; i++) {
            run = !Double.isNaN(flow[i]) && flow[i] >= settings.burstFlow() ? run + 1 : 0;
            if (run == settings.burstHours()) {
                int start = i - run + 1;
                double sum = 0;
                for (int j = start; j <= i; j++) {
                    sum += flow[j];
                }
                out.add(new Incident(
                        Kind.PIPE_BURST,
                        start,
                        i + 1,
                        Math.min(1.0, 0.6 + sum / run / settings.burstFlow() / 10),
                        String.format(
                                Locale.ROOT,
                                "%.0f L/h on average for %d hours from %s",
                                sum / run,
                                run,
                                first.plusHours(start))));
            }
        }
        out.sort((a, b) -> Integer.compare(a.detectedHour(), b.detectedHour()));
        return out;
    }

    /**
     * The leaks still going on at the end of the series: a small leak whose nights have leaked up to the last
     * complete night, a burst whose flow has stayed high up to the last known hour.
     */
    public List<Incident> ongoing(double[] flow, LocalDateTime first) {
        int end = flow.length;
        while (end > 0 && Double.isNaN(flow[end - 1]) && flow.length - end < 2) {
            end--;
        }
        List<Incident> out = new ArrayList<>();
        int lastNight = (flow.length - settings.nightTo()) / 24;
        for (Incident i : detect(flow, first)) {
            if (i.kind() == Kind.SMALL_LEAK) {
                boolean continues = lastNight >= 0;
                for (int day = i.startHour() / 24; continues && day <= lastNight; day++) {
                    continues = leaks(flow, day);
                }
                if (continues) {
                    out.add(i);
                }
            } else if (i.detectedHour() <= end) {
                boolean continues = true;
                for (int h = i.startHour(); continues && h < end; h++) {
                    continues = !Double.isNaN(flow[h]) && flow[h] >= settings.burstFlow();
                }
                if (continues) {
                    out.add(i);
                }
            }
        }
        return out;
    }

    private boolean leaks(double[] flow, int day) {
        for (int h = settings.nightFrom(); h < settings.nightTo(); h++) {
            double v = flow[day * 24 + h];
            if (Double.isNaN(v) || v < settings.minNightFlow()) {
                return false;
            }
        }
        return true;
    }
}
