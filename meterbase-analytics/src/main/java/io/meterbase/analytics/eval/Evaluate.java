package io.meterbase.analytics.eval;

import io.meterbase.analytics.forecast.Baselines;
import io.meterbase.analytics.forecast.DirectRegressionForecaster;
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
        uciDaily(data.resolve("uci-household/uci_household_hourly_sums_2006-2010.csv"));
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
        print(WalkForward.evaluate(best, s, historyStart, testStart, 46));
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
