package io.meterbase.analytics.forecast;

import java.util.Arrays;
import java.util.List;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.regression.RegressionFactory;
import org.tribuo.regression.Regressor;
import org.tribuo.regression.slm.ElasticNetCDTrainer;

/**
 * A linear model fitted by elastic net (Tribuo's coordinate descent) on standardized features and target, kept as
 * an intercept and one weight per raw feature. An elastic-net model is affine in its input, so its coefficients are
 * read once by probing it (at a point and at that point moved by one along each feature); a forecast then costs
 * one dot product instead of building a Tribuo example, which makes fleet-wide forecasts cheap.
 */
public record LinearFit(double intercept, double[] weights) {

    private static final RegressionFactory FACTORY = new RegressionFactory();

    /** Fits {@code ts} from {@code xs} (rows of {@code names.length} values). */
    public static LinearFit fit(List<double[]> xs, List<Double> ts, String[] names, double alpha, double l1Ratio) {
        if (xs.isEmpty()) {
            throw new IllegalArgumentException("no rows to fit");
        }
        int n = names.length;
        double[] m = new double[n];
        double[] s = new double[n];
        for (double[] x : xs) {
            for (int j = 0; j < n; j++) {
                m[j] += x[j];
            }
        }
        for (int j = 0; j < n; j++) {
            m[j] /= xs.size();
        }
        for (double[] x : xs) {
            for (int j = 0; j < n; j++) {
                s[j] += (x[j] - m[j]) * (x[j] - m[j]);
            }
        }
        for (int j = 0; j < n; j++) {
            s[j] = Math.sqrt(s[j] / xs.size());
            s[j] = s[j] < 1e-12 ? 1 : s[j];
        }
        double ym = ts.stream().mapToDouble(Double::doubleValue).average().orElse(0);
        double ys = Math.sqrt(
                ts.stream().mapToDouble(v -> (v - ym) * (v - ym)).average().orElse(1));
        double yScale = ys < 1e-12 ? 1 : ys;
        MutableDataset<Regressor> data =
                new MutableDataset<>(new SimpleDataSourceProvenance("history", FACTORY), FACTORY);
        double[] z = new double[n];
        for (int i = 0; i < xs.size(); i++) {
            double[] x = xs.get(i);
            for (int j = 0; j < n; j++) {
                z[j] = (x[j] - m[j]) / s[j];
            }
            data.add(new ArrayExample<>(new Regressor("load", (ts.get(i) - ym) / yScale), names, z.clone()));
        }
        Model<Regressor> model = new ElasticNetCDTrainer(alpha, l1Ratio, 1e-4, 1000, false, 1).train(data);

        // probe on the standardized scale at all-ones (an all-zero example would carry no features)
        double[] probe = new double[n];
        Arrays.fill(probe, 1);
        double atProbe = predict(model, names, probe);
        double[] w = new double[n];
        double b = atProbe;
        for (int j = 0; j < n; j++) {
            probe[j] = 2;
            w[j] = predict(model, names, probe) - atProbe;
            probe[j] = 1;
            b -= w[j];
        }
        // back to raw features and target: y = ym + ys * (b + sum w_j (x_j - m_j) / s_j)
        double[] raw = new double[n];
        double intercept = ym + yScale * b;
        for (int j = 0; j < n; j++) {
            raw[j] = yScale * w[j] / s[j];
            intercept -= raw[j] * m[j];
        }
        return new LinearFit(intercept, raw);
    }

    private static double predict(Model<Regressor> model, String[] names, double[] z) {
        return model.predict(new ArrayExample<>(RegressionFactory.UNKNOWN_REGRESSOR, names, z.clone()))
                .getOutput()
                .getValues()[0];
    }

    public double predict(double[] x) {
        double v = intercept;
        for (int j = 0; j < weights.length; j++) {
            v += weights[j] * x[j];
        }
        return v;
    }
}
