package io.meterbase.analytics.eval;

import io.meterbase.analytics.forecast.Baselines;
import io.meterbase.analytics.forecast.DirectRegressionForecaster;
import io.meterbase.analytics.forecast.FleetForecaster;
import io.meterbase.analytics.forecast.HourlyForecaster;
import io.meterbase.analytics.forecast.WeekForecaster;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The evaluation on real data: {@code Evaluate <data dir>} prints every score of docs/analytics.md.
 */
public final class Evaluate {

    /** Tribuo reports every coordinate-descent run at INFO through java.util.logging; held so the level sticks. */
    private static final java.util.logging.Logger TRIBUO_LOG = java.util.logging.Logger.getLogger("org.tribuo");

    private Evaluate() {}

    public static void main(String[] args) throws Exception {
        TRIBUO_LOG.setLevel(java.util.logging.Level.WARNING);
        Path data = Path.of(args.length > 0 ? args[0] : "../shared/data");
        if (args.length > 1 && args[1].equals("fleet")) {
            fleet(HourlySeries.uci(data.resolve("uci-household/uci_household_hourly_sums_2006-2010.csv")), data);
            return;
        }
        if (args.length > 1 && args[1].equals("anomalies")) {
            AnomalyEvaluation.run(WaterMeters.read(data.resolve("daiad-water/swm_trialA.zip")));
            return;
        }
        uciDaily(data.resolve("uci-household/uci_household_hourly_sums_2006-2010.csv"));
        hourly(data);
        List<WaterMeters.Meter> water = WaterMeters.read(data.resolve("daiad-water/swm_trialA.zip"));
        clusters(data, water);
        LeakEvaluation.run(
                water,
                new io.meterbase.analytics.incident.LeakDetector(
                        io.meterbase.analytics.incident.LeakDetector.Settings.defaults()));
        AnomalyEvaluation.run(water);
    }

    /**
     * UCI household, daily totals of Global_active_power, next 7 days, walk-forward over the 46 weeks from
     * 2010-01-03 with history from 2006-12-17 (the published setup). The model's settings are chosen on the 26
     * weeks before the test period, never on the test weeks.
     */
    static void uciDaily(Path csv) throws Exception {
        DailySeries s = DailySeries.fromHourlySums(csv, "Global_active_power");
        LocalDate historyStart = LocalDate.of(2006, 12, 17);
        LocalDate testStart = LocalDate.of(2010, 1, 3);
        System.out.println("UCI household, daily totals, 7 days ahead, 46 weeks walk-forward from " + testStart);
        for (WeekForecaster b :
                List.of(Baselines.dailyPersistence(), Baselines.weeklyPersistence(), Baselines.weekOneYearAgo())) {
            print(WalkForward.evaluate(b, s, historyStart, testStart, 46));
        }
        LocalDate validationStart = testStart.minusWeeks(26);
        WeekForecaster best = null;
        double bestRmse = Double.MAX_VALUE;
        List<String> tried = new ArrayList<>();
        for (double alpha : new double[] {0.01, 0.03, 0.1, 0.3, 1.0}) {
            for (double l1 : new double[] {0.05, 0.5, 0.95}) {
                WeekForecaster m = new DirectRegressionForecaster(alpha, l1);
                double rmse = WalkForward.evaluate(m, s, historyStart, validationStart, 26)
                        .rmse();
                tried.add(String.format(Locale.ROOT, "alpha %s l1 %s: %.1f", alpha, l1, rmse));
                if (rmse < bestRmse) {
                    bestRmse = rmse;
                    best = m;
                }
            }
        }
        System.out.println("  validation (26 weeks before the test period): " + String.join("; ", tried));
        if (best == null) {
            throw new IllegalStateException("no model could be validated");
        }
        print(WalkForward.evaluate(best, s, historyStart, testStart, 46));
    }

    /**
     * Next hour and next 24 hours, MAE and RMSE in kWh, against the seasonal-naive forecasts (the same hour
     * yesterday, the same hour last week). UCI: the same 46 test weeks as the daily evaluation; SGSC: the last 56
     * days of each of the 10 households, pooled. Settings fixed beforehand (α 0.01, L1 ratio 0.5, the last 365
     * days, retrained every 28 days), not tuned on the test period.
     */
    static void hourly(Path data) throws Exception {
        HourlySeries uci = HourlySeries.uci(data.resolve("uci-household/uci_household_hourly_sums_2006-2010.csv"));
        int uciTest =
                (int) java.time.temporal.ChronoUnit.DAYS.between(uci.first().toLocalDate(), LocalDate.of(2010, 1, 3));
        long t0 = System.nanoTime();
        boolean uciLog = chooseScale(uci, uciTest);
        HourlyEvaluation.Result u = HourlyEvaluation.evaluate(uci, uciTest, 322, 28, hourlyModel(uciLog));
        report(
                "UCI household, hourly kWh, 322 test days from 2010-01-03 (" + (uciLog ? "log" : "linear")
                        + " scale chosen on the 56 days before)",
                u,
                t0);
        HourlyEvaluation.Result pooled = new HourlyEvaluation.Result();
        List<HourlyEvaluation.Result> perMeter = new ArrayList<>();
        t0 = System.nanoTime();
        int filled = 0;
        int meters = 0;
        int logChosen = 0;
        for (HourlySeries s : HourlySeries.sgsc(data.resolve("sgsc-smartmeter/sgsc_smart_meter10.csv.gz"))
                .values()) {
            int days = s.values().length / 24;
            boolean log = chooseScale(s, days - 56);
            logChosen += log ? 1 : 0;
            HourlyEvaluation.Result meter = HourlyEvaluation.evaluate(s, days - 56, 56, 28, hourlyModel(log));
            perMeter.add(meter);
            pooled.addAll(meter);
            filled += s.filled();
            meters++;
        }
        report(
                "SGSC, " + meters + " households, hourly kWh (30-min summed), last 56 days each, pooled (" + filled
                        + " missing hours filled from the day before; log scale chosen for " + logChosen
                        + " by the 56 days before their test days)",
                pooled,
                t0);
        perMeter(perMeter);
        fleet(uci, data);
    }

    /** The fleet models the server uses (one set for all meters), on the same data. */
    static void fleet(HourlySeries uci, Path data) throws Exception {
        long t0 = System.nanoTime();
        FleetEvaluation.Result u = FleetEvaluation.evaluate(
                List.of(uci), LocalDate.of(2010, 1, 3), 322, 28, 365, FleetForecaster.standard());
        report("Fleet models (as served), UCI household, the same 322 test days", u.errors, t0);
        coverage(u);
        t0 = System.nanoTime();
        List<HourlySeries> sgsc =
                List.copyOf(HourlySeries.sgsc(data.resolve("sgsc-smartmeter/sgsc_smart_meter10.csv.gz"))
                        .values());
        FleetEvaluation.Result s =
                FleetEvaluation.evaluate(sgsc, LocalDate.of(2013, 12, 20), 56, 28, 365, FleetForecaster.standard());
        report(
                "Fleet models (as served), SGSC, " + sgsc.size()
                        + " households trained together, 56 calendar days from 2013-12-20",
                s.errors,
                t0);
        perMeter(s.perMeter.values());
        coverage(s);
    }

    /** Meter by meter: the median MAE reduction against each meter's best naive baseline, and how many beat it. */
    private static void perMeter(java.util.Collection<HourlyEvaluation.Result> meters) {
        for (boolean dayAhead : new boolean[] {false, true}) {
            HourlyEvaluation.PerMeter p = HourlyEvaluation.PerMeter.of(meters, dayAhead);
            System.out.printf(
                    Locale.ROOT,
                    "  %-9s per meter: median MAE %.1f %% lower than its best naive; %d of %d meters beat it%n",
                    dayAhead ? "next 24 h" : "next hour",
                    100 * p.medianReduction(),
                    Math.round(p.shareBeatingBestNaive() * p.meters()),
                    p.meters());
        }
    }

    private static void coverage(FleetEvaluation.Result r) {
        System.out.printf(
                Locale.ROOT,
                "  80 %% interval of the next 24 h held the actual value %.1f %% of the time; %d training rows in all%n",
                100 * r.coverage(),
                r.trainRows);
    }

    /** Clusters of the real meters: the SGSC households and the DAIAD water meters, described in words. */
    static void clusters(Path data, List<WaterMeters.Meter> water) throws Exception {
        List<double[]> homes = new ArrayList<>();
        for (HourlySeries s : HourlySeries.sgsc(data.resolve("sgsc-smartmeter/sgsc_smart_meter10.csv.gz"))
                .values()) {
            homes.add(io.meterbase.analytics.cluster.LoadProfile.of(s.values(), s.first()));
        }
        printClusters("SGSC households (electricity)", io.meterbase.analytics.cluster.Clusters.cluster(homes, 2, 4, 1));
        List<double[]> meters = new ArrayList<>();
        for (WaterMeters.Meter m : water) {
            double[] p = io.meterbase.analytics.cluster.LoadProfile.of(m.litresPerHour(), m.first());
            if (p != null) {
                meters.add(p);
            }
        }
        printClusters("DAIAD water meters", io.meterbase.analytics.cluster.Clusters.cluster(meters, 2, 8, 1));
    }

    private static void printClusters(String what, io.meterbase.analytics.cluster.Clusters.Result r) {
        System.out.printf(Locale.ROOT, "%s: k=%d chosen by mean silhouette %.3f (", what, r.k(), r.silhouette());
        for (int k = 2; k < r.silhouetteByK().length; k++) {
            if (r.silhouetteByK()[k] != 0) {
                System.out.printf(Locale.ROOT, "%sk=%d %.3f", k == 2 ? "" : ", ", k, r.silhouetteByK()[k]);
            }
        }
        System.out.println(")");
        for (var c : r.clusters()) {
            System.out.printf(Locale.ROOT, "  %d meters: %s%n", c.size(), c.description());
        }
    }

    private static HourlyForecaster hourlyModel(boolean logScale) {
        return new HourlyForecaster(0.01, 0.5, 365, logScale);
    }

    /**
     * Linear or log scale for a series, by the next-24-hour MAE on the 56 days before its test days (the test
     * days are not looked at).
     */
    private static boolean chooseScale(HourlySeries s, int testStartDay) {
        double linear = HourlyEvaluation.evaluate(s, testStartDay - 56, 56, 28, hourlyModel(false))
                .dayModel
                .mae();
        double log = HourlyEvaluation.evaluate(s, testStartDay - 56, 56, 28, hourlyModel(true))
                .dayModel
                .mae();
        return log < linear;
    }

    private static void report(String what, HourlyEvaluation.Result r, long startedNanos) {
        System.out.println(what + " (" + (System.nanoTime() - startedNanos) / 1_000_000_000 + " s)");
        line("next hour", "persistence", r.hourPersistence, r.hourModel);
        line("next hour", "same hour yesterday", r.hourYesterday, r.hourModel);
        line("next hour", "same hour last week", r.hourLastWeek, r.hourModel);
        line("next hour", "best naive", r.bestNaiveHour(), r.hourModel);
        line("next 24 h", "persistence", r.dayPersistence, r.dayModel);
        line("next 24 h", "same hour yesterday", r.dayYesterday, r.dayModel);
        line("next 24 h", "same hour last week", r.dayLastWeek, r.dayModel);
        line("next 24 h", "best naive", r.bestNaiveDay(), r.dayModel);
    }

    private static void line(String task, String baseline, HourlyEvaluation.Errors b, HourlyEvaluation.Errors m) {
        System.out.printf(
                Locale.ROOT,
                "  %-9s %-20s MAE %.4f RMSE %.4f | model MAE %.4f RMSE %.4f | MAE %.1f %% lower (%d forecasts)%n",
                task,
                baseline,
                b.mae(),
                b.rmse(),
                m.mae(),
                m.rmse(),
                100 * (1 - m.mae() / b.mae()),
                m.count());
    }

    private static void print(WalkForward.Score score) {
        StringBuilder days = new StringBuilder();
        for (double d : score.perDay()) {
            days.append(String.format(Locale.ROOT, " %.1f", d));
        }
        System.out.printf(
                Locale.ROOT,
                "  %-60s RMSE %.1f  MAE %.1f  per day [%s ]%n",
                score.model(),
                score.rmse(),
                score.mae(),
                days);
    }
}
