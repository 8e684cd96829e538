package io.meterbase.spark;

import io.meterbase.analytics.incident.AnomalyDetector;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.encoders.ExpressionEncoder;

/**
 * A job over a synthetic fleet in process and as a Spark job in {@code local[2]} (or the given master):
 * {@code scripts/bench-spark <meters> <days> <master> <job>}, job one of
 *
 * <ul>
 *   <li>{@code scan}: the anomaly scan (one thread per core in process, as the server would with a pool); the
 *       findings are counted on both sides and must agree;
 *   <li>{@code clusters}: load profiles and k-means with k from 2 to 8 chosen by silhouette (Tribuo in process, as
 *       the server; MLlib in Spark), on households, businesses, always-on and summer-vacant meters;
 *   <li>{@code train}: the 576 forecast models fitted on every origin of the last 28 days of every meter (in process
 *       as one {@code FleetForecaster.train}; in Spark by {@link FleetJobs#trainForecasts}).
 * </ul>
 *
 * The fleet is written to Parquet first (not timed); each path is timed over the same meters.
 */
public final class FleetBenchmark {

    private FleetBenchmark() {}

    public static void main(String[] args) throws Exception {
        int meters = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int days = args.length > 1 ? Integer.parseInt(args[1]) : 35;
        String master = args.length > 2 ? args[2] : "local[2]";
        String dir = args.length > 3 ? args[3] : "target/bench-spark";
        String job = args.length > 4 ? args[4] : "scan";
        if (!job.equals("scan")) {
            other(job, meters, days, master, dir);
            return;
        }
        int hours = days * 24;
        AnomalyDetector.Settings settings = AnomalyDetector.Settings.water();

        long t0 = System.nanoTime();
        AnomalyDetector detector = new AnomalyDetector(settings);
        int threads = Runtime.getRuntime().availableProcessors();
        long[] foundInProcess = new long[threads];
        List<Thread> pool = new ArrayList<>();
        for (int w = 0; w < threads; w++) {
            int worker = w;
            Thread t = new Thread(() -> {
                for (int m = worker; m < meters; m += threads) {
                    foundInProcess[worker] +=
                            detector.detect(series(m, hours), hours - 48).size();
                }
            });
            pool.add(t);
            t.start();
        }
        for (Thread t : pool) {
            t.join();
        }
        double inProcess = (System.nanoTime() - t0) / 1e9;
        long inProcessCount = java.util.Arrays.stream(foundInProcess).sum();

        SparkSession spark = session(master);
        try {
            String parquet = dir + "/fleet.parquet";
            double write = writeFleet(spark, parquet, meters, hours, "water", FleetBenchmark::series);

            long s0 = System.nanoTime();
            Dataset<Row> found = FleetJobs.anomalies(FleetHistory.parquet(spark, parquet), settings, 48);
            long sparkCount = found.count();
            double sparkSeconds = (System.nanoTime() - s0) / 1e9;
            System.out.printf(
                    Locale.ROOT,
                    "%d meters x %d days (%d hourly values): in process %.1f s (%d threads, %d anomalies);"
                            + " Spark %s %.1f s (%d anomalies; ratio %.2f); fleet written to Parquet in %.1f s%n",
                    meters,
                    days,
                    (long) meters * hours,
                    inProcess,
                    threads,
                    inProcessCount,
                    master,
                    sparkSeconds,
                    sparkCount,
                    sparkSeconds / inProcess,
                    write);
            if (sparkCount != inProcessCount) {
                throw new IllegalStateException("the two paths disagree: " + sparkCount + " vs " + inProcessCount);
            }
        } finally {
            spark.stop();
        }
    }

    private static final long START = 1_735_689_600_000L; // 2025-01-01T00:00:00Z

    private static SparkSession session(String master) {
        return SparkSession.builder()
                .master(master)
                .appName("meterbase-bench")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .getOrCreate();
    }

    /** A meter's hourly values, from its number and the hours wanted. */
    private interface SeriesOf extends java.io.Serializable {
        double[] of(int meter, int hours);
    }

    /** Writes the fleet's hours to Parquet (meters {@code device:<n>/<ref>}); returns the seconds it took. */
    private static double writeFleet(
            SparkSession spark, String parquet, int meters, int hours, String ref, SeriesOf series) {
        long w0 = System.nanoTime();
        FlatMapFunction<Long, Row> rows = m -> {
            double[] v = series.of(m.intValue(), hours);
            List<Row> out = new ArrayList<>(hours);
            for (int i = 0; i < hours; i++) {
                out.add(RowFactory.create("device:" + m + "/" + ref, new Timestamp(START + i * FleetJobs.HOUR), v[i]));
            }
            return out.iterator();
        };
        spark.range(meters)
                .as(org.apache.spark.sql.Encoders.LONG())
                .flatMap(rows, ExpressionEncoder.apply(FleetHistory.SCHEMA))
                .write()
                .mode(SaveMode.Overwrite)
                .parquet(parquet);
        return (System.nanoTime() - w0) / 1e9;
    }

    /** Clustering or training, in process then in Spark, over the same synthetic meters of four kinds. */
    private static void other(String job, int meters, int days, String master, String dir) {
        // Tribuo reports each k-means fit at INFO through java.util.logging
        java.util.logging.Logger.getLogger("org.tribuo").setLevel(java.util.logging.Level.WARNING);
        int hours = days * 24;
        java.time.LocalDateTime first =
                java.time.LocalDateTime.ofEpochSecond(START / 1000, 0, java.time.ZoneOffset.UTC);
        long t0 = System.nanoTime();
        String inProcessResult;
        switch (job) {
            case "clusters" -> {
                List<double[]> profiles = new ArrayList<>();
                for (int m = 0; m < meters; m++) {
                    double[] p = io.meterbase.analytics.cluster.LoadProfile.of(kindSeries(m, hours), first);
                    if (p != null) {
                        profiles.add(p);
                    }
                }
                io.meterbase.analytics.cluster.Clusters.Result r =
                        io.meterbase.analytics.cluster.Clusters.cluster(profiles, 2, 8, 42);
                inProcessResult = String.format(Locale.ROOT, "k %d, silhouette %.3f", r.k(), r.silhouette());
            }
            case "train" -> {
                List<io.meterbase.analytics.forecast.FleetForecaster.Series> series = new ArrayList<>();
                for (int m = 0; m < meters; m++) {
                    series.add(new io.meterbase.analytics.forecast.FleetForecaster.Series(kindSeries(m, hours), first));
                }
                int rows = new io.meterbase.analytics.forecast.FleetForecaster(0.01, 0.5, Integer.MAX_VALUE, true)
                        .train(series, 28, 7);
                inProcessResult = rows + " training rows";
            }
            default -> throw new IllegalArgumentException("job: scan, clusters or train, was " + job);
        }
        double inProcess = (System.nanoTime() - t0) / 1e9;
        SparkSession spark = session(master);
        try {
            String parquet = dir + "/fleet-" + job + ".parquet";
            double write = writeFleet(spark, parquet, meters, hours, "meter", FleetBenchmark::kindSeries);
            long s0 = System.nanoTime();
            Dataset<Row> history = FleetHistory.parquet(spark, parquet);
            String sparkResult;
            if (job.equals("clusters")) {
                FleetJobs.Clustering c = FleetJobs.clusters(history, 2, 8, 1);
                sparkResult = String.format(Locale.ROOT, "k %d, silhouette %.3f", c.k(), c.silhouette());
            } else {
                FleetJobs.trainForecasts(history, 0.01, 0.5, true, 28);
                sparkResult = "576 models";
            }
            double sparkSeconds = (System.nanoTime() - s0) / 1e9;
            System.out.printf(
                    Locale.ROOT,
                    "%s: %d meters x %d days: in process %.1f s (%s); Spark %s %.1f s (%s; ratio %.2f);"
                            + " fleet written to Parquet in %.1f s%n",
                    job,
                    meters,
                    days,
                    inProcess,
                    inProcessResult,
                    master,
                    sparkSeconds,
                    sparkResult,
                    sparkSeconds / inProcess,
                    write);
        } finally {
            spark.stop();
        }
    }

    /** Watt-hours an hour of a meter of one of four kinds (by the meter's number), seeded by the meter. */
    static double[] kindSeries(int meter, int hours) {
        io.meterbase.analytics.cluster.SyntheticMeters.Kind[] kinds =
                io.meterbase.analytics.cluster.SyntheticMeters.Kind.values();
        return io.meterbase.analytics.cluster.SyntheticMeters.series(
                kinds[meter % kinds.length],
                java.time.LocalDateTime.ofEpochSecond(START / 1000, 0, java.time.ZoneOffset.UTC),
                hours,
                new Random(meter));
    }

    /** A household's litres an hour, seeded by the meter; one meter in 50 gets a spike in its last day. */
    static double[] series(int meter, int hours) {
        Random r = new Random(meter);
        double[] y = new double[hours];
        for (int t = 0; t < hours; t++) {
            int h = t % 24;
            y[t] = Math.round(h < 6 ? 0 : h == 7 || h == 19 ? 20 + 40 * r.nextDouble() : 6 * r.nextDouble());
        }
        if (meter % 50 == 0) {
            y[hours - 10] += 400;
        }
        return y;
    }
}
