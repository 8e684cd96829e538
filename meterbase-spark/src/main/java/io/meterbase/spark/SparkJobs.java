package io.meterbase.spark;

import io.meterbase.analytics.incident.AnomalyDetector;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * The jobs from the command line ({@code scripts/spark-jobs}):
 *
 * <pre>
 * anomalies --input hourly.parquet --commodity water|gas|heat --output dir [--examined-hours 48]
 * clusters  --input hourly.parquet --output dir [--k-min 2] [--k-max 8]
 * forecasts --input hourly.parquet --output dir [--train-days 28]
 * </pre>
 *
 * Instead of {@code --input}, {@code --postgres jdbc:postgresql://… --user … --quantity WATER_VOLUME --from … --to …}
 * reads Meterbase's PostgreSQL store (the password from the environment variable {@code PGPASSWORD}).
 * {@code --master} is Spark's (default {@code local[*]}); {@code --jars} lists the jars executors need (set by the
 * script when the master is a cluster). Results are written as JSON lines under {@code --output}.
 */
public final class SparkJobs {

    private SparkJobs() {}

    public static void main(String[] args) {
        if (args.length == 0 || args[0].equals("--help")) {
            System.out.println(
                    "usage: anomalies|clusters|forecasts --input <parquet> | --postgres <jdbc url> --user <u>"
                            + " --quantity <QUANTITY> --from <instant> --to <instant>; --output <dir>; --commodity"
                            + " water|gas|heat; --examined-hours N; --k-min N --k-max N; --train-days N; --master <url>; --jars <list>");
            return;
        }
        String job = args[0];
        Map<String, String> o = options(args);
        SparkSession.Builder builder = SparkSession.builder()
                .appName("meterbase-" + job)
                .master(o.getOrDefault("master", "local[*]"))
                .config("spark.ui.enabled", o.getOrDefault("ui", "false"));
        if (o.containsKey("jars")) {
            builder.config("spark.jars", o.get("jars"));
        }
        SparkSession spark = builder.getOrCreate();
        try {
            Dataset<Row> history = history(spark, o);
            String output = require(o, "output");
            long started = System.nanoTime();
            switch (job) {
                case "anomalies" -> {
                    AnomalyDetector.Settings water = AnomalyDetector.Settings.water();
                    AnomalyDetector.Settings settings =
                            switch (o.getOrDefault("commodity", "water").toLowerCase(Locale.ROOT)) {
                                case "gas" -> water.scaled(0.1);
                                case "heat", "cooling" -> water.scaled(1000);
                                case "water" -> water;
                                default ->
                                    throw new IllegalArgumentException(
                                            "--commodity: water, gas, heat or cooling, was " + o.get("commodity"));
                            };
                    Dataset<Row> found = FleetJobs.anomalies(
                            history, settings, Integer.parseInt(o.getOrDefault("examined-hours", "48")));
                    found.write().mode(SaveMode.Overwrite).json(output);
                    System.out.printf(
                            Locale.ROOT,
                            "anomalies: %d found in %.1f s, written to %s%n",
                            spark.read().json(output).count(),
                            (System.nanoTime() - started) / 1e9,
                            output);
                }
                case "clusters" -> {
                    FleetJobs.Clustering c = FleetJobs.clusters(
                            history,
                            Integer.parseInt(o.getOrDefault("k-min", "2")),
                            Integer.parseInt(o.getOrDefault("k-max", "8")),
                            1);
                    c.assignments().write().mode(SaveMode.Overwrite).json(output);
                    System.out.printf(
                            Locale.ROOT,
                            "clusters: k = %d (silhouette %.3f) in %.1f s, assignments written to %s%n",
                            c.k(),
                            c.silhouette(),
                            (System.nanoTime() - started) / 1e9,
                            output);
                }
                case "forecasts" -> {
                    // the server's settings (FleetForecaster.standard, ForecastService), on every origin
                    io.meterbase.analytics.forecast.FleetForecaster model = FleetJobs.trainForecasts(
                            history, 0.01, 0.5, true, Integer.parseInt(o.getOrDefault("train-days", "28")));
                    double trained = (System.nanoTime() - started) / 1e9;
                    FleetJobs.forecasts(history, model, 0.01, 0.5, true, 14, 0.8)
                            .write()
                            .mode(SaveMode.Overwrite)
                            .json(output);
                    System.out.printf(
                            Locale.ROOT,
                            "forecasts: models trained in %.1f s, %d meters forecast in %.1f s, written to %s%n",
                            trained,
                            spark.read().json(output).select("meter").distinct().count(),
                            (System.nanoTime() - started) / 1e9,
                            output);
                }
                default ->
                    throw new IllegalArgumentException("unknown job '" + job + "': anomalies, clusters or forecasts");
            }
        } finally {
            spark.stop();
        }
    }

    private static Dataset<Row> history(SparkSession spark, Map<String, String> o) {
        if (o.containsKey("input")) {
            return FleetHistory.parquet(spark, o.get("input"));
        }
        if (o.containsKey("postgres")) {
            String password = System.getenv().getOrDefault("PGPASSWORD", "");
            return FleetHistory.postgres(
                    spark,
                    o.get("postgres"),
                    require(o, "user"),
                    password,
                    require(o, "quantity"),
                    require(o, "from"),
                    require(o, "to"),
                    Integer.parseInt(o.getOrDefault("partitions", "8")));
        }
        throw new IllegalArgumentException("--input <parquet> or --postgres <jdbc url> is needed");
    }

    private static String require(Map<String, String> o, String name) {
        String v = o.get(name);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("--" + name + " is needed");
        }
        return v;
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> o = new HashMap<>();
        List<String> list = List.of(args);
        for (int i = 1; i < list.size(); i++) {
            String a = list.get(i);
            if (!a.startsWith("--") || i + 1 >= list.size()) {
                throw new IllegalArgumentException("expected --name value, found '" + a + "'");
            }
            o.put(a.substring(2), list.get(++i));
        }
        return o;
    }
}
