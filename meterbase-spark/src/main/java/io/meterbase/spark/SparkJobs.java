package io.meterbase.spark;

import io.meterbase.analytics.incident.AnomalyDetector;
import io.meterbase.analytics.service.IncidentService;
import io.meterbase.core.query.Commodity;
import io.meterbase.store.postgres.PostgresOptions;
import io.meterbase.store.postgres.PostgresStore;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.jspecify.annotations.Nullable;

/**
 * The jobs from the command line ({@code scripts/spark-jobs}):
 *
 * <pre>
 * anomalies --input hourly.parquet --commodity water|gas|heat --output dir [--examined-hours 48]
 * incidents --input hourly.parquet --commodity water|gas|heat|cooling [--output dir] [--write-to jdbc:postgresql://…]
 * clusters  --input hourly.parquet [--output dir] [--k-min 2] [--k-max 8] [--write-to …]
 * forecasts --input hourly.parquet [--output dir] [--train-days 28] [--write-to …]
 * </pre>
 *
 * Instead of {@code --input}, {@code --postgres jdbc:postgresql://… --user … --quantity WATER_VOLUME --from … --to …}
 * reads Meterbase's PostgreSQL store (the password from the environment variable {@code PGPASSWORD}).
 * {@code --master} is Spark's (default {@code local[*]}); {@code --jars} lists the jars executors need (set by the
 * script when the master is a cluster). Results are written as JSON lines under {@code --output}; with
 * {@code --write-to} (Meterbase's PostgreSQL store, same user and password), also as the documents the server serves
 * ({@link ServerDocuments}): forecasts with each community's total, the customers' clustering (customers, not
 * meters, are clustered then), and the incident scan merged into the server's incidents.
 */
public final class SparkJobs {

    private SparkJobs() {}

    public static void main(String[] args) {
        if (args.length == 0 || args[0].equals("--help")) {
            System.out.println(
                    "usage: anomalies|incidents|clusters|forecasts --input <parquet> | --postgres <jdbc url> --user <u>"
                            + " --quantity <QUANTITY> --from <instant> --to <instant>; --output <dir>; --write-to"
                            + " <jdbc url>; --commodity water|gas|heat|cooling; --examined-hours N; --k-min N --k-max N;"
                            + " --train-days N; --master <url>; --jars <list>");
            return;
        }
        run(args, System.getenv().getOrDefault("PGPASSWORD", ""));
    }

    /** Runs one job ({@code args} as {@link #main}'s) with the PostgreSQL password given. */
    static void run(String[] args, String password) {
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
        try (Writer writer = Writer.of(o, password)) {
            Dataset<Row> history = history(spark, o, password);
            @Nullable String output = writer.documents == null ? require(o, "output") : o.get("output");
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
                    found.write().mode(SaveMode.Overwrite).json(require(o, "output"));
                    System.out.printf(
                            Locale.ROOT,
                            "anomalies: %d found in %.1f s, written to %s%n",
                            spark.read().json(require(o, "output")).count(),
                            (System.nanoTime() - started) / 1e9,
                            require(o, "output"));
                }
                case "incidents" -> {
                    Commodity commodity = Commodity.valueOf(
                            o.getOrDefault("commodity", "water").toUpperCase(Locale.ROOT));
                    long end = o.containsKey("to")
                            ? Instant.parse(o.get("to")).toEpochMilli()
                            : Math.floorDiv(System.currentTimeMillis(), FleetJobs.HOUR) * FleetJobs.HOUR;
                    Dataset<String> found =
                            FleetJobs.findings(history, commodity, end).cache();
                    if (output != null) {
                        found.write().mode(SaveMode.Overwrite).text(output);
                    }
                    List<String> findings = found.collectAsList();
                    String merged = "";
                    if (writer.documents != null) {
                        java.util.Set<String> meters = new java.util.HashSet<>(history.select("meter")
                                .distinct()
                                .as(org.apache.spark.sql.Encoders.STRING())
                                .collectAsList());
                        IncidentService.Merge m = writer.documents.writeIncidents(findings, meters);
                        merged = String.format(
                                Locale.ROOT,
                                "; incidents in the store: %d raised, %d updated, %d closed",
                                m.raised().size(),
                                m.changed().size()
                                        - m.raised().size()
                                        - m.closed().size(),
                                m.closed().size());
                    }
                    System.out.printf(
                            Locale.ROOT,
                            "incidents: %d findings in %.1f s%s%n",
                            findings.size(),
                            (System.nanoTime() - started) / 1e9,
                            merged);
                }
                case "clusters" -> {
                    Dataset<Row> profiled = writer.documents == null ? history : FleetJobs.customerTotals(history);
                    FleetJobs.Clustering c = FleetJobs.clusters(
                            profiled,
                            Integer.parseInt(o.getOrDefault("k-min", "2")),
                            Integer.parseInt(o.getOrDefault("k-max", "8")),
                            1);
                    if (output != null) {
                        c.assignments().write().mode(SaveMode.Overwrite).json(output);
                    }
                    if (writer.documents != null) {
                        long days = o.containsKey("from") && o.containsKey("to")
                                ? java.time.Duration.between(Instant.parse(o.get("from")), Instant.parse(o.get("to")))
                                        .toDays()
                                : 0;
                        writer.documents.writeClusters(c, (int) days);
                    }
                    System.out.printf(
                            Locale.ROOT,
                            "clusters: k = %d (silhouette %.3f) in %.1f s%s%s%n",
                            c.k(),
                            c.silhouette(),
                            (System.nanoTime() - started) / 1e9,
                            output == null ? "" : ", assignments written to " + output,
                            writer.documents == null ? "" : ", customers' clustering written to the store");
                }
                case "forecasts" -> {
                    // the server's settings (FleetForecaster.standard, ForecastService), on every origin
                    Dataset<Row> series = writer.documents == null
                            ? history
                            : FleetJobs.withCommunityTotals(history, writer.documents.communities());
                    io.meterbase.analytics.forecast.FleetForecaster model = FleetJobs.trainForecasts(
                            series, 0.01, 0.5, true, Integer.parseInt(o.getOrDefault("train-days", "28")));
                    double trained = (System.nanoTime() - started) / 1e9;
                    Dataset<Row> forecasts = FleetJobs.forecasts(series, model, 0.01, 0.5, true, 14, 0.8)
                            .cache();
                    if (output != null) {
                        forecasts.write().mode(SaveMode.Overwrite).json(output);
                    }
                    long meters = forecasts.select("meter").distinct().count();
                    if (writer.documents != null) {
                        writer.documents.writeForecasts(forecasts);
                    }
                    System.out.printf(
                            Locale.ROOT,
                            "forecasts: models trained in %.1f s, %d meters forecast in %.1f s%s%s%n",
                            trained,
                            meters,
                            (System.nanoTime() - started) / 1e9,
                            output == null ? "" : ", written to " + output,
                            writer.documents == null ? "" : ", and into the store");
                }
                default ->
                    throw new IllegalArgumentException("unknown job '" + job + "': anomalies, clusters or forecasts");
            }
        } finally {
            spark.stop();
        }
    }

    /** Meterbase's PostgreSQL store that results are written into, when {@code --write-to} names one. */
    private static final class Writer implements AutoCloseable {

        private final @Nullable PostgresStore store;
        private final @Nullable ServerDocuments documents;

        private Writer(@Nullable PostgresStore store) {
            this.store = store;
            this.documents = store == null
                    ? null
                    : new ServerDocuments(store.documents(), store.metadata(), java.time.Clock.systemUTC());
        }

        static Writer of(Map<String, String> o, String password) {
            String url = o.get("write-to");
            if (url == null) {
                return new Writer(null);
            }
            // the schema must be the server's: a store behind this version is refused, never migrated by a job
            return new Writer(PostgresStore.open(new PostgresOptions(url, require(o, "user"), password, 2, false)));
        }

        @Override
        public void close() {
            if (store != null) {
                store.close();
            }
        }
    }

    private static Dataset<Row> history(SparkSession spark, Map<String, String> o, String password) {
        if (o.containsKey("input")) {
            return FleetHistory.parquet(spark, o.get("input"));
        }
        if (o.containsKey("postgres")) {
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
