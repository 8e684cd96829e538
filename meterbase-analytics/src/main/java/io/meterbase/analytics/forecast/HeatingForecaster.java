package io.meterbase.analytics.forecast;

import io.meterbase.analytics.incident.AnomalyDetector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Next-24-hour forecasts of gas and heat, whose use follows the outdoor temperature. The 24-hour blocks before the
 * forecast origin give the meter's daily totals; when the outdoor temperature is known for them, the next block's
 * total is {@code a + b × HDD} fitted on those blocks by least squares (heating degree-days, base
 * {@value #BASE_CELSIUS} °C: {@code max(0, base − mean temperature)}; the next day is assumed as cold as the last —
 * no weather forecast is read), else the mean of the last 7 blocks. The total is spread over the hours by the meter's
 * own share of each hour of the day. The interval is the 10th–90th percentile of how far the blocks' actual totals
 * were from the model's.
 */
public final class HeatingForecaster {

    /** The base temperature of heating degree-days (°C), the usual one for homes in Europe. */
    public static final double BASE_CELSIUS = 15.5;

    /** Blocks of history used. */
    public static final int DAYS = 28;

    private static final int MIN_DAYS = 7;
    private static final int MIN_FIT_DAYS = 10;

    /** A daily model {@code total = intercept + perDegreeDay × HDD}, fitted on {@code days} blocks. */
    public record Fit(double intercept, double perDegreeDay, int days, double r2) {}

    /**
     * A forecast: 24 hourly values after the origin, their interval, the day's total, the fit (null when the
     * temperature was not known, or did not explain the use) and the degree-days assumed.
     */
    public record Forecast(
            double[] hours,
            double[] low,
            double[] high,
            double total,
            @Nullable Fit fit,
            double degreeDays) {}

    private HeatingForecaster() {}

    /**
     * The forecast for the 24 hours after {@code y}'s end ({@code y} hourly amounts, NaN unknown; {@code celsius}
     * the outdoor temperature of the same hours, or null), or null with fewer than 7 complete days of history.
     */
    public static @Nullable Forecast forecast(double[] y, double @Nullable [] celsius) {
        int t = y.length;
        List<double[]> blocks = new ArrayList<>(); // {total, hdd}, newest first
        for (int k = 0; k < DAYS && t - 24 * (k + 1) >= 0; k++) {
            int from = t - 24 * (k + 1);
            double total = AnomalyDetector.dayTotal(y, from);
            if (!Double.isNaN(total)) {
                blocks.add(new double[] {total, celsius == null ? Double.NaN : degreeDays(celsius, from)});
            }
        }
        if (blocks.size() < MIN_DAYS) {
            return null;
        }
        Fit fit = fit(blocks);
        double lastHdd = blocks.get(0)[1];
        double total;
        double[] ratios;
        if (fit != null && !Double.isNaN(lastHdd)) {
            total = Math.max(0, fit.intercept() + fit.perDegreeDay() * lastHdd);
            ratios = blocks.stream()
                    .filter(b -> !Double.isNaN(b[1]))
                    .mapToDouble(b -> ratio(b[0], fit.intercept() + fit.perDegreeDay() * b[1]))
                    .toArray();
        } else {
            double sum = 0;
            int n = Math.min(7, blocks.size());
            for (int i = 0; i < n; i++) {
                sum += blocks.get(i)[0];
            }
            total = sum / n;
            double mean = total;
            ratios = blocks.stream().mapToDouble(b -> ratio(b[0], mean)).toArray();
        }
        double[] shape = shape(y, t);
        double[] hours = new double[24];
        for (int h = 0; h < 24; h++) {
            hours[h] = total * shape[h];
        }
        Arrays.sort(ratios);
        double lowRatio = quantile(ratios, 0.1);
        double highRatio = quantile(ratios, 0.9);
        double[] low = new double[24];
        double[] high = new double[24];
        for (int h = 0; h < 24; h++) {
            low[h] = hours[h] * Math.min(1, lowRatio);
            high[h] = hours[h] * Math.max(1, highRatio);
        }
        return new Forecast(hours, low, high, total, fit != null && !Double.isNaN(lastHdd) ? fit : null, lastHdd);
    }

    /** Heating degree-days of the 24 hours from {@code from}: NaN when more than 6 hours are unknown. */
    public static double degreeDays(double[] celsius, int from) {
        double sum = 0;
        int known = 0;
        for (int i = from; i < from + 24 && i < celsius.length; i++) {
            if (!Double.isNaN(celsius[i])) {
                sum += celsius[i];
                known++;
            }
        }
        return known < 18 ? Double.NaN : Math.max(0, BASE_CELSIUS - sum / known);
    }

    /** Least squares of total on HDD over the blocks that have both; null when it explains nothing. */
    static @Nullable Fit fit(List<double[]> blocks) {
        double n = 0;
        double sx = 0;
        double sy = 0;
        double sxx = 0;
        double sxy = 0;
        double syy = 0;
        for (double[] b : blocks) {
            if (Double.isNaN(b[1])) {
                continue;
            }
            n++;
            sx += b[1];
            sy += b[0];
            sxx += b[1] * b[1];
            sxy += b[1] * b[0];
            syy += b[0] * b[0];
        }
        if (n < MIN_FIT_DAYS) {
            return null;
        }
        double vx = sxx - sx * sx / n;
        double vy = syy - sy * sy / n;
        if (vx <= 1e-9) {
            return null; // the same degree-days every day: nothing to fit
        }
        double b = (sxy - sx * sy / n) / vx;
        double a = (sy - b * sx) / n;
        double r2 = vy <= 0 ? 0 : b * b * vx / vy;
        return b > 0 ? new Fit(a, b, (int) n, r2) : null;
    }

    /** The meter's share of each hour of the day over the last blocks (equal shares when it used nothing). */
    static double[] shape(double[] y, int t) {
        double[] sum = new double[24];
        double all = 0;
        for (int k = 0; k < DAYS && t - 24 * (k + 1) >= 0; k++) {
            int from = t - 24 * (k + 1);
            for (int h = 0; h < 24; h++) {
                double v = y[from + h];
                if (!Double.isNaN(v)) {
                    sum[h] += Math.max(0, v);
                    all += Math.max(0, v);
                }
            }
        }
        double[] shape = new double[24];
        for (int h = 0; h < 24; h++) {
            shape[h] = all > 0 ? sum[h] / all : 1.0 / 24;
        }
        return shape;
    }

    private static double ratio(double actual, double predicted) {
        return predicted > 0 ? actual / predicted : 1;
    }

    private static double quantile(double[] sorted, double q) {
        if (sorted.length == 0) {
            return 1;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.floor(q * sorted.length))];
    }
}
