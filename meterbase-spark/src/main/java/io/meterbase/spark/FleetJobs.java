package io.meterbase.spark;

import io.meterbase.analytics.cluster.LoadProfile;
import io.meterbase.analytics.forecast.FleetForecaster;
import io.meterbase.analytics.forecast.LinearFit;
import io.meterbase.analytics.incident.AnomalyDetector;
import io.meterbase.analytics.incident.LeakDetector;
import io.meterbase.analytics.service.HourlyHistory;
import io.meterbase.analytics.service.IncidentService;
import io.meterbase.core.query.Commodity;
import io.meterbase.services.json.ControlJson;
import java.sql.Timestamp;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapGroupsFunction;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.ml.clustering.KMeans;
import org.apache.spark.ml.clustering.KMeansModel;
import org.apache.spark.ml.evaluation.ClusteringEvaluator;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.catalyst.encoders.ExpressionEncoder;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.jspecify.annotations.Nullable;

/**
 * The server's fleet analytics as Spark jobs over a {@link FleetHistory}: each meter's hours are gathered on one
 * executor and handed to the same code the server runs ({@link AnomalyDetector}, {@link LoadProfile}), so a job's
 * findings for a meter are the server's; clustering runs on MLlib's k-means, k chosen by silhouette as in the
 * server. Series start at the UTC midnight before a meter's first hour.
 */
public final class FleetJobs {

    static final long HOUR = 3_600_000L;

    /** The rows of {@link #anomalies}. */
    public static final StructType ANOMALIES = new StructType()
            .add("meter", DataTypes.StringType, false)
            .add("kind", DataTypes.StringType, false)
            .add("start", DataTypes.TimestampType, false)
            .add("end", DataTypes.TimestampType, false)
            .add("confidence", DataTypes.DoubleType, false)
            .add("observed", DataTypes.DoubleType, false)
            .add("expected", DataTypes.DoubleType, false)
            .add("evidence", DataTypes.StringType, false);

    private FleetJobs() {}

    /**
     * The anomalies of each meter in its last {@code examinedHours}, judged against the detector's reference days
     * before them ({@code settings} as the server's, e.g. {@link AnomalyDetector.Settings#water()}).
     */
    public static Dataset<Row> anomalies(Dataset<Row> history, AnomalyDetector.Settings settings, int examinedHours) {
        double[] s = {
            settings.referenceDays(),
            settings.spikeFactor(),
            settings.spikeFloor(),
            settings.stuckHours(),
            settings.constantHours(),
            settings.constantFlow(),
            settings.constantMargin(),
            settings.dayFactor(),
            settings.dayZ()
        };
        FlatMapGroupsFunction<String, Row, Row> detect = (meter, rows) -> {
            Series series = Series.of(rows);
            AnomalyDetector detector = new AnomalyDetector(new AnomalyDetector.Settings(
                    (int) s[0], s[1], s[2], (int) s[3], (int) s[4], s[5], s[6], s[7], s[8]));
            List<Row> out = new ArrayList<>();
            for (AnomalyDetector.Anomaly a :
                    detector.detect(series.values, Math.max(0, series.values.length - examinedHours))) {
                out.add(RowFactory.create(
                        meter,
                        a.kind().type(),
                        new Timestamp(series.start + a.startHour() * HOUR),
                        new Timestamp(series.start + a.endHour() * HOUR),
                        a.confidence(),
                        a.observed(),
                        a.expected(),
                        a.evidence()));
            }
            return out.iterator();
        };
        return history.groupByKey((MapFunction<Row, String>) r -> r.getString(0), Encoders.STRING())
                .flatMapGroups(detect, ExpressionEncoder.apply(ANOMALIES));
    }

    /**
     * The incident scan of the server for every meter of one commodity ({@link IncidentService#meterFindings}: a
     * water meter's leaks, and the anomalies of its last 48 hours), as JSON findings ready to be merged into the
     * server's incidents ({@link ServerDocuments#writeIncidents}). {@code end}: the end of the last complete hour,
     * as the server scans up to it; a meter whose data stop earlier has unknown hours up to it. Meter keys must be
     * the server's ({@code device:<customer>/<ref>}); days begin at midnight UTC.
     */
    public static Dataset<String> findings(Dataset<Row> history, Commodity commodity, long end) {
        FlatMapGroupsFunction<String, Row, String> scan = (meter, rows) -> {
            Series series = Series.of(rows, end);
            if (series.values.length == 0) {
                return java.util.Collections.emptyIterator();
            }
            int slash = meter.indexOf('/');
            if (!meter.startsWith("device:") || slash < 0) {
                throw new IllegalArgumentException("not a device key (device:<customer>/<ref>): " + meter);
            }
            HourlyHistory.Hourly hourly = new HourlyHistory.Hourly(
                    meter,
                    Long.parseLong(meter.substring("device:".length(), slash)),
                    meter.substring(slash + 1),
                    null,
                    ZoneOffset.UTC,
                    series.start,
                    series.values);
            List<String> out = new ArrayList<>();
            for (IncidentService.Finding f : IncidentService.meterFindings(
                    commodity, hourly, new LeakDetector(LeakDetector.Settings.defaults()))) {
                out.add(ControlJson.write(f));
            }
            return out.iterator();
        };
        return history.groupByKey((MapFunction<Row, String>) r -> r.getString(0), Encoders.STRING())
                .flatMapGroups(scan, Encoders.STRING());
    }

    /**
     * Each customer's total of its meters' hours, as the server clusters customers: meter {@code customer:<id>}
     * from meters {@code device:<id>/<ref>}.
     */
    public static Dataset<Row> customerTotals(Dataset<Row> history) {
        return history.withColumn(
                        "meter",
                        org.apache.spark.sql.functions.concat(
                                org.apache.spark.sql.functions.lit("customer:"),
                                org.apache.spark.sql.functions.regexp_extract(
                                        org.apache.spark.sql.functions.col("meter"), "^device:([0-9]+)/", 1)))
                .groupBy("meter", "hour")
                .agg(org.apache.spark.sql.functions.sum("amount").as("amount"));
    }

    /**
     * The history with each community's total added as one more meter ({@code community:<name>}), as the server
     * forecasts communities; {@code communityOfMeter}: the community of each meter that has one.
     */
    public static Dataset<Row> withCommunityTotals(
            Dataset<Row> history, java.util.Map<String, String> communityOfMeter) {
        if (communityOfMeter.isEmpty()) {
            return history;
        }
        List<Row> pairs = new ArrayList<>();
        communityOfMeter.forEach((meter, community) -> pairs.add(RowFactory.create(meter, "community:" + community)));
        Dataset<Row> communities = history.sparkSession()
                .createDataFrame(
                        pairs,
                        new StructType()
                                .add("meter", DataTypes.StringType, false)
                                .add("community", DataTypes.StringType, false));
        Dataset<Row> totals = history.join(communities, "meter")
                .groupBy("community", "hour")
                .agg(org.apache.spark.sql.functions.sum("amount").as("amount"))
                .withColumnRenamed("community", "meter")
                .select("meter", "hour", "amount");
        return history.select("meter", "hour", "amount").unionByName(totals);
    }

    /** The rows of {@link #profiles}: each meter's load profile as an MLlib vector. */
    public static final StructType PROFILES =
            new StructType().add("meter", DataTypes.StringType, false).add("features", new VectorUDT(), false);

    /** Each meter's load profile ({@link LoadProfile}); meters with too little history are left out. */
    public static Dataset<Row> profiles(Dataset<Row> history) {
        FlatMapGroupsFunction<String, Row, Row> profile = (meter, rows) -> {
            Series series = Series.of(rows);
            double @Nullable [] p =
                    LoadProfile.of(series.values, LocalDateTime.ofEpochSecond(series.start / 1000, 0, ZoneOffset.UTC));
            return p == null
                    ? java.util.Collections.emptyIterator()
                    : List.of(RowFactory.create(meter, Vectors.dense(p))).iterator();
        };
        return history.groupByKey((MapFunction<Row, String>) r -> r.getString(0), Encoders.STRING())
                .flatMapGroups(profile, ExpressionEncoder.apply(PROFILES));
    }

    /**
     * What {@link #clusters} chose: k, its silhouette, every k's silhouette, each meter's cluster, each cluster's
     * centroid, and the median of the profiles' magnitude (what a cluster's size is described against).
     */
    public record Clustering(
            int k,
            double silhouette,
            double[] silhouetteByK,
            Dataset<Row> assignments,
            double[][] centroids,
            double medianMagnitude) {}

    /**
     * Meters grouped by k-means on their load profiles, for each k in {@code [kMin, kMax]}, keeping the k with the
     * highest silhouette; assignments have columns {@code meter} and {@code cluster}. MLlib's silhouette uses squared
     * Euclidean distances where the server's uses Euclidean ones: on profiles that overlap, the k chosen can differ.
     */
    public static Clustering clusters(Dataset<Row> history, int kMin, int kMax, long seed) {
        // a profile is 51 numbers: even a large fleet's fit in a few partitions, and each k-means iteration is one
        // task per partition (the 200 of a shuffle made clustering 8 customers take minutes)
        Dataset<Row> profiles = profiles(history)
                .coalesce(Math.max(1, history.sparkSession().sparkContext().defaultParallelism()))
                .cache();
        long n = profiles.count();
        ClusteringEvaluator silhouette = new ClusteringEvaluator()
                .setFeaturesCol("features")
                .setPredictionCol("cluster")
                .setDistanceMeasure("squaredEuclidean");
        double[] byK = new double[kMax + 1];
        Arrays.fill(byK, Double.NaN);
        KMeansModel best = null;
        int bestK = 0;
        for (int k = kMin; k <= Math.min(kMax, n - 1); k++) {
            KMeansModel model = new KMeans()
                    .setK(k)
                    .setSeed(seed)
                    .setMaxIter(50)
                    .setFeaturesCol("features")
                    .setPredictionCol("cluster")
                    .fit(profiles);
            byK[k] = silhouette.evaluate(model.transform(profiles));
            if (best == null || byK[k] > byK[bestK]) {
                best = model;
                bestK = k;
            }
        }
        if (best == null) {
            throw new IllegalArgumentException("clusters: " + n + " meters with a profile are too few for k " + kMin);
        }
        Dataset<Row> assignments = best.transform(profiles).select("meter", "cluster");
        double[][] centroids = Arrays.stream(best.clusterCenters())
                .map(org.apache.spark.ml.linalg.Vector::toArray)
                .toArray(double[][]::new);
        // the magnitude feature (index 50, as LoadProfile makes it) of every profile; its exact median
        double[] magnitudes = profiles
                .map(
                        (MapFunction<Row, Double>) r -> ((org.apache.spark.ml.linalg.Vector) r.get(1)).apply(50),
                        Encoders.DOUBLE())
                .collectAsList()
                .stream()
                .mapToDouble(Double::doubleValue)
                .sorted()
                .toArray();
        return new Clustering(bestK, byK[bestK], byK, assignments, centroids, magnitudes[magnitudes.length / 2]);
    }

    /** The rows of the training set: a model's slot, its features and target. */
    static final StructType TRAINING = new StructType()
            .add("slot", DataTypes.IntegerType, false)
            .add("x", DataTypes.createArrayType(DataTypes.DoubleType, false), false)
            .add("target", DataTypes.DoubleType, false);

    /** The rows of the fitted models: a slot's intercept, weights and median shift. */
    static final StructType FITS = new StructType()
            .add("slot", DataTypes.IntegerType, false)
            .add("intercept", DataTypes.DoubleType, false)
            .add("weights", DataTypes.createArrayType(DataTypes.DoubleType, false), false)
            .add("shift", DataTypes.DoubleType, false);

    /**
     * Trains the fleet forecast models ({@link FleetForecaster}, the server's) as a Spark job: each meter's training
     * rows are made where its hours are (every origin of its last {@code trainDays} days: no sample), and the
     * {@value FleetForecaster#SLOTS} models are fitted in parallel, one slot per task, by the same elastic net. The
     * forecaster returned forecasts exactly as one trained in the server on the same rows.
     */
    public static FleetForecaster trainForecasts(
            Dataset<Row> history, double alpha, double l1Ratio, boolean logScale, int trainDays) {
        FlatMapGroupsFunction<String, Row, Row> rows = (meter, hours) -> {
            Series series = Series.of(hours);
            FleetForecaster f = new FleetForecaster(alpha, l1Ratio, Integer.MAX_VALUE, logScale);
            List<Row> out = new ArrayList<>();
            for (FleetForecaster.TrainingRow r : f.trainingRows(
                    new FleetForecaster.Series(
                            series.values, LocalDateTime.ofEpochSecond(series.start / 1000, 0, ZoneOffset.UTC)),
                    trainDays)) {
                out.add(RowFactory.create(r.slot(), boxed(r.x()), r.target()));
            }
            return out.iterator();
        };
        FlatMapGroupsFunction<Integer, Row, Row> fit = (slot, slotRows) -> {
            List<double[]> xs = new ArrayList<>();
            List<Double> ts = new ArrayList<>();
            while (slotRows.hasNext()) {
                Row r = slotRows.next();
                List<Double> x = r.getList(1);
                xs.add(x.stream().mapToDouble(Double::doubleValue).toArray());
                ts.add(r.getDouble(2));
            }
            FleetForecaster.SlotFit f =
                    new FleetForecaster(alpha, l1Ratio, Integer.MAX_VALUE, logScale).fitSlot(xs, ts);
            return List.of(RowFactory.create(
                            slot, f.fit().intercept(), boxed(f.fit().weights()), f.shift()))
                    .iterator();
        };
        List<Row> fitted = history.groupByKey((MapFunction<Row, String>) r -> r.getString(0), Encoders.STRING())
                .flatMapGroups(rows, ExpressionEncoder.apply(TRAINING))
                .groupByKey((MapFunction<Row, Integer>) r -> r.getInt(0), Encoders.INT())
                .flatMapGroups(fit, ExpressionEncoder.apply(FITS))
                .collectAsList();
        java.util.Map<Integer, FleetForecaster.SlotFit> bySlot = new java.util.HashMap<>();
        for (Row r : fitted) {
            List<Double> w = r.getList(2);
            bySlot.put(
                    r.getInt(0),
                    new FleetForecaster.SlotFit(
                            new LinearFit(
                                    r.getDouble(1),
                                    w.stream().mapToDouble(Double::doubleValue).toArray()),
                            r.getDouble(3)));
        }
        List<FleetForecaster.SlotFit> slots = new ArrayList<>();
        for (int i = 0; i < FleetForecaster.SLOTS; i++) {
            FleetForecaster.SlotFit f = bySlot.get(i);
            if (f == null) {
                throw new IllegalArgumentException("too little history to train on: no rows for model " + i);
            }
            slots.add(f);
        }
        FleetForecaster model = new FleetForecaster(alpha, l1Ratio, Integer.MAX_VALUE, logScale);
        model.install(slots);
        return model;
    }

    /** The rows of {@link #forecasts}. */
    public static final StructType FORECASTS = new StructType()
            .add("meter", DataTypes.StringType, false)
            .add("hour", DataTypes.TimestampType, false)
            .add("value", DataTypes.DoubleType, false)
            .add("low", DataTypes.DoubleType, true)
            .add("high", DataTypes.DoubleType, true)
            .add("level", DataTypes.DoubleType, false);

    /**
     * The next 24 hours of every meter after its last hour, by trained models (e.g. {@link #trainForecasts}), with
     * intervals from each meter's own last {@code backtestDays} days as the server makes them.
     */
    public static Dataset<Row> forecasts(
            Dataset<Row> history,
            FleetForecaster model,
            double alpha,
            double l1Ratio,
            boolean logScale,
            int backtestDays,
            double coverage) {
        List<FleetForecaster.SlotFit> slots = model.slots();
        double[] intercepts =
                slots.stream().mapToDouble(f -> f.fit().intercept()).toArray();
        double[][] weights = slots.stream().map(f -> f.fit().weights()).toArray(double[][]::new);
        double[] shifts =
                slots.stream().mapToDouble(FleetForecaster.SlotFit::shift).toArray();
        FlatMapGroupsFunction<String, Row, Row> forecast = (meter, hours) -> {
            List<FleetForecaster.SlotFit> copy = new ArrayList<>();
            for (int i = 0; i < intercepts.length; i++) {
                copy.add(new FleetForecaster.SlotFit(new LinearFit(intercepts[i], weights[i]), shifts[i]));
            }
            FleetForecaster f = new FleetForecaster(alpha, l1Ratio, Integer.MAX_VALUE, logScale);
            f.install(copy);
            Series series = Series.of(hours);
            int origin = series.values.length - 1;
            FleetForecaster.Forecast out = f.forecast(
                    new FleetForecaster.Series(
                            series.values, LocalDateTime.ofEpochSecond(series.start / 1000, 0, ZoneOffset.UTC)),
                    origin,
                    backtestDays,
                    coverage);
            if (out == null) {
                return java.util.Collections.emptyIterator();
            }
            double @Nullable [] low = out.low();
            double @Nullable [] high = out.high();
            List<Row> rows = new ArrayList<>();
            for (int h = 0; h < out.value().length; h++) {
                rows.add(RowFactory.create(
                        meter,
                        new Timestamp(series.start + (origin + 1 + h) * HOUR),
                        out.value()[h],
                        low == null ? null : low[h],
                        high == null ? null : high[h],
                        out.level()));
            }
            return rows.iterator();
        };
        return history.groupByKey((MapFunction<Row, String>) r -> r.getString(0), Encoders.STRING())
                .flatMapGroups(forecast, ExpressionEncoder.apply(FORECASTS));
    }

    private static Double[] boxed(double[] v) {
        Double[] out = new Double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }

    /** One meter's hours as a series from the UTC midnight before its first hour (NaN where unknown). */
    private record Series(long start, double[] values) {

        static Series of(Iterator<Row> rows) {
            return of(rows, Long.MIN_VALUE);
        }

        /**
         * As {@link #of(Iterator)}, ending at {@code end} (exclusive): later hours are left out, and hours up to it
         * are unknown where the data stop earlier.
         */
        static Series of(Iterator<Row> rows, long end) {
            boolean cut = end != Long.MIN_VALUE;
            List<long[]> hours = new ArrayList<>();
            List<Double> amounts = new ArrayList<>();
            long first = Long.MAX_VALUE;
            long last = Long.MIN_VALUE;
            while (rows.hasNext()) {
                Row r = rows.next();
                long at = r.getTimestamp(1).getTime();
                if (cut && at >= end) {
                    continue;
                }
                first = Math.min(first, at);
                last = Math.max(last, at);
                hours.add(new long[] {at});
                amounts.add(r.isNullAt(2) ? Double.NaN : r.getDouble(2));
            }
            if (hours.isEmpty()) {
                // every row at or after the end: nothing to scan
                return new Series(cut ? end : 0, new double[0]);
            }
            long start = Math.floorDiv(first, 24 * HOUR) * 24 * HOUR;
            if (cut) {
                first = Math.min(first, end - HOUR);
                last = end - HOUR;
            }
            double[] v = new double[(int) ((last - start) / HOUR) + 1];
            Arrays.fill(v, Double.NaN);
            for (int i = 0; i < hours.size(); i++) {
                int idx = (int) ((hours.get(i)[0] - start) / HOUR);
                double a = amounts.get(i);
                v[idx] = Double.isNaN(v[idx]) ? a : v[idx] + a;
            }
            return new Series(start, v);
        }
    }
}
