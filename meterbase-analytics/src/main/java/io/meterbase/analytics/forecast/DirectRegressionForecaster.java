package io.meterbase.analytics.forecast;

import java.time.LocalDate;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.regression.RegressionFactory;
import org.tribuo.regression.Regressor;
import org.tribuo.regression.slm.ElasticNetCDTrainer;

/**
 * Direct multi-horizon regression: for each day ahead (1–7) an elastic-net linear model (Tribuo, coordinate
 * descent) on {@link DailyFeatures}, trained on the whole history each time it forecasts. Features and target are
 * standardized with the training rows' mean and deviation.
 */
public final class DirectRegressionForecaster implements WeekForecaster {

    private static final RegressionFactory FACTORY = new RegressionFactory();

    private final double alpha;
    private final double l1Ratio;

    public DirectRegressionForecaster(double alpha, double l1Ratio) {
        this.alpha = alpha;
        this.l1Ratio = l1Ratio;
    }

    @Override
    public String name() {
        return "elastic net, direct 7 horizons (alpha " + alpha + ", l1 ratio " + l1Ratio + ")";
    }

    @Override
    public double[] forecast(double[] history, LocalDate nextDay) {
        double[] out = new double[7];
        int last = history.length - 1;
        LocalDate lastDate = nextDay.minusDays(1);
        for (int h = 1; h <= 7; h++) {
            int rows = last - h - DailyFeatures.NEEDED + 1;
            if (rows < 30) {
                throw new IllegalArgumentException("too little history: " + history.length + " days");
            }
            double[][] x = new double[rows][];
            double[] target = new double[rows];
            for (int r = 0; r < rows; r++) {
                int t = DailyFeatures.NEEDED + r;
                x[r] = DailyFeatures.of(history, t, h, lastDate.minusDays(last - t - h));
                target[r] = history[t + h];
            }
            Standardizer sx = Standardizer.of(x);
            double ym = mean(target);
            double ys = sd(target, ym);
            MutableDataset<Regressor> data =
                    new MutableDataset<>(new SimpleDataSourceProvenance("history", FACTORY), FACTORY);
            for (int r = 0; r < rows; r++) {
                data.add(new ArrayExample<>(
                        new Regressor("load", (target[r] - ym) / ys), DailyFeatures.NAMES, sx.apply(x[r])));
            }
            Model<Regressor> model = new ElasticNetCDTrainer(alpha, l1Ratio, 1e-5, 2000, false, 1).train(data);
            double[] now = sx.apply(DailyFeatures.of(history, last, h, nextDay.plusDays(h - 1)));
            double z = model.predict(new ArrayExample<>(RegressionFactory.UNKNOWN_REGRESSOR, DailyFeatures.NAMES, now))
                    .getOutput()
                    .getValues()[0];
            out[h - 1] = z * ys + ym;
        }
        return out;
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double d : v) {
            s += d;
        }
        return s / v.length;
    }

    private static double sd(double[] v, double mean) {
        double s = 0;
        for (double d : v) {
            s += (d - mean) * (d - mean);
        }
        return Math.max(1e-9, Math.sqrt(s / v.length));
    }

    /** Per-column z-scores; constant columns are left centred. */
    record Standardizer(double[] mean, double[] sd) {
        static Standardizer of(double[][] x) {
            int n = x[0].length;
            double[] m = new double[n];
            double[] s = new double[n];
            for (double[] row : x) {
                for (int j = 0; j < n; j++) {
                    m[j] += row[j];
                }
            }
            for (int j = 0; j < n; j++) {
                m[j] /= x.length;
            }
            for (double[] row : x) {
                for (int j = 0; j < n; j++) {
                    s[j] += (row[j] - m[j]) * (row[j] - m[j]);
                }
            }
            for (int j = 0; j < n; j++) {
                s[j] = Math.sqrt(s[j] / x.length);
                s[j] = s[j] < 1e-12 ? 1 : s[j];
            }
            return new Standardizer(m, s);
        }

        double[] apply(double[] row) {
            double[] z = new double[row.length];
            for (int j = 0; j < row.length; j++) {
                z[j] = (row[j] - mean[j]) / sd[j];
            }
            return z;
        }
    }
}
