package io.meterbase.analytics.eval;

import io.meterbase.analytics.forecast.WeekForecaster;
import java.time.LocalDate;
import java.util.Arrays;

/**
 * Walk-forward evaluation week by week: for each test week, forecast its 7 days from everything before it, then
 * reveal it. The score is the RMSE over all forecast days, and the RMSE per day of the week ahead.
 */
public final class WalkForward {

    /** An evaluation's figures. */
    public record Score(String model, double rmse, double[] perDay, double mae) {}

    private WalkForward() {}

    public static Score evaluate(
            WeekForecaster model, DailySeries series, LocalDate historyStart, LocalDate testStart, int weeks) {
        int from = series.indexOf(historyStart);
        int test = series.indexOf(testStart);
        double sum = 0;
        double abs = 0;
        double[] perDay = new double[7];
        for (int w = 0; w < weeks; w++) {
            int start = test + 7 * w;
            double[] history = Arrays.copyOfRange(series.values(), from, start);
            double[] predicted = model.forecast(history, series.date(start));
            for (int d = 0; d < 7; d++) {
                double err = predicted[d] - series.values()[start + d];
                sum += err * err;
                abs += Math.abs(err);
                perDay[d] += err * err;
            }
        }
        for (int d = 0; d < 7; d++) {
            perDay[d] = Math.sqrt(perDay[d] / weeks);
        }
        return new Score(model.name(), Math.sqrt(sum / (7.0 * weeks)), perDay, abs / (7.0 * weeks));
    }
}
