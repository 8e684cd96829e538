package io.meterbase.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterbase.analytics.cluster.Clusters;
import io.meterbase.analytics.cluster.LoadProfile;
import io.meterbase.analytics.cluster.SyntheticMeters;
import io.meterbase.analytics.incident.AnomalyDetector;
import java.sql.Timestamp;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark jobs in {@code local[2]} against the server's in-process path on a fixture fleet: anomalies must be the
 * same, found by the same code; clustering on MLlib must choose the same k and group the meters the same way.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FleetJobsTest {

    private static final long HOUR = FleetJobs.HOUR;
    private static final LocalDateTime FIRST = LocalDateTime.of(2025, 1, 1, 0, 0);
    private static final long START = FIRST.toEpochSecond(ZoneOffset.UTC) * 1000;

    private SparkSession spark;

    @TempDir
    java.nio.file.Path dir;

    @BeforeAll
    void start() {
        spark = SparkSession.builder()
                .master("local[2]")
                .appName("meterbase-fleet-jobs-test")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.driver.host", "127.0.0.1")
                .getOrCreate();
    }

    @AfterAll
    void stop() {
        spark.stop();
    }

    private Dataset<Row> history(Map<String, double[]> meters) {
        List<Row> rows = new ArrayList<>();
        meters.forEach((meter, v) -> {
            for (int i = 0; i < v.length; i++) {
                rows.add(RowFactory.create(meter, new Timestamp(START + i * HOUR), Double.isNaN(v[i]) ? null : v[i]));
            }
        });
        return spark.createDataFrame(rows, FleetHistory.SCHEMA);
    }

    /** Litres an hour of an ordinary household over 35 days. */
    private static double[] household(long seed) {
        Random r = new Random(seed);
        double[] y = new double[35 * 24];
        for (int t = 0; t < y.length; t++) {
            int h = t % 24;
            y[t] = Math.round(h < 6 ? 0 : h == 7 || h == 19 ? 20 + 40 * r.nextDouble() : 6 * r.nextDouble());
        }
        return y;
    }

    @Test
    void anomalies_areTheServersFindings_meterByMeter() throws Exception {
        // GIVEN twelve households, four of them with an anomaly in their last two days
        Map<String, double[]> meters = new HashMap<>();
        for (int i = 0; i < 12; i++) {
            meters.put("device:" + i + "/water", household(i));
        }
        int last = 35 * 24;
        meters.get("device:0/water")[last - 10] += 400;
        java.util.Arrays.fill(meters.get("device:1/water"), last - 30, last - 18, 13);
        meters.get("device:2/water")[last - 5] = -20;
        for (int t = last - 40; t < last; t++) {
            meters.get("device:3/water")[t] += 5;
        }
        AnomalyDetector.Settings settings = AnomalyDetector.Settings.water();

        // WHEN the job runs over them, written to Parquet and read back as a deployment would
        String parquet = dir.resolve("water.parquet").toString();
        history(meters).write().parquet(parquet);
        List<Row> found = FleetJobs.anomalies(FleetHistory.parquet(spark, parquet), settings, 48)
                .collectAsList();

        // THEN it finds exactly what the server's detector finds on each series
        Set<String> expected = new TreeSet<>();
        AnomalyDetector detector = new AnomalyDetector(settings);
        meters.forEach((meter, v) -> {
            for (AnomalyDetector.Anomaly a : detector.detect(v, v.length - 48)) {
                expected.add(meter + " " + a.kind().type() + " " + (START + a.startHour() * HOUR) + " "
                        + Math.round(a.confidence() * 1e9));
            }
        });
        Set<String> actual = new TreeSet<>();
        for (Row r : found) {
            actual.add(r.getString(0) + " " + r.getString(1) + " "
                    + r.getTimestamp(2).getTime() + " " + Math.round(r.getDouble(4) * 1e9));
        }
        assertThat(actual).isEqualTo(expected);
        assertThat(actual)
                .anyMatch(a -> a.startsWith("device:0/water spike"))
                .anyMatch(a -> a.startsWith("device:1/water stuck"))
                .anyMatch(a -> a.startsWith("device:2/water negative"))
                .anyMatch(a -> a.startsWith("device:3/water constant_flow"));
    }

    @Test
    void incidentScan_findsWhatTheServersScanFinds_andMergesIntoItsIncidents() {
        // GIVEN twelve water meters, three with an anomaly in their last two days, one silent for the last day
        Map<String, double[]> meters = new HashMap<>();
        for (int i = 0; i < 12; i++) {
            meters.put("device:" + i + "/water", household(100 + i));
        }
        int last = 35 * 24;
        meters.get("device:0/water")[last - 10] += 400;
        meters.get("device:2/water")[last - 5] = -20;
        for (int t = last - 40; t < last; t++) {
            meters.get("device:3/water")[t] += 5;
        }
        meters.put("device:4/water", java.util.Arrays.copyOf(meters.get("device:4/water"), last - 24));
        long end = START + last * HOUR;

        // WHEN the Spark scan runs over them
        List<String> found = FleetJobs.findings(history(meters), io.meterbase.core.query.Commodity.WATER, end)
                .collectAsList();

        // THEN its findings are the server's scan of each meter's series up to the same hour
        Set<String> expected = new TreeSet<>();
        meters.forEach((meter, v) -> {
            double[] full = java.util.Arrays.copyOf(v, last);
            java.util.Arrays.fill(full, v.length, last, Double.NaN);
            int slash = meter.indexOf('/');
            io.meterbase.analytics.service.HourlyHistory.Hourly s =
                    new io.meterbase.analytics.service.HourlyHistory.Hourly(
                            meter,
                            Long.parseLong(meter.substring(7, slash)),
                            meter.substring(slash + 1),
                            null,
                            ZoneOffset.UTC,
                            START,
                            full);
            for (io.meterbase.analytics.service.IncidentService.Finding f :
                    io.meterbase.analytics.service.IncidentService.meterFindings(
                            io.meterbase.core.query.Commodity.WATER,
                            s,
                            new io.meterbase.analytics.incident.LeakDetector(
                                    io.meterbase.analytics.incident.LeakDetector.Settings.defaults()))) {
                expected.add(io.meterbase.services.json.ControlJson.write(f));
            }
        });
        assertThat(new TreeSet<>(found)).isEqualTo(expected);
        assertThat(found)
                .anyMatch(f -> f.contains("consumption_spike") && f.contains("\"device\":\"water\""))
                .anyMatch(f -> f.contains("negative_consumption"))
                .anyMatch(f -> f.contains("constant_flow"));

        // AND merged into a store's incidents they are open incidents; a later scan without them closes them,
        // and leaves the meters it did not scan alone
        io.meterbase.core.store.memory.MemoryStore store = io.meterbase.core.store.memory.MemoryStore.open();
        java.time.Clock clock = java.time.Clock.fixed(java.time.Instant.ofEpochMilli(end), ZoneOffset.UTC);
        ServerDocuments documents = new ServerDocuments(store.documents(), store.metadata(), clock);
        var first = documents.writeIncidents(found, meters.keySet());
        assertThat(first.raised()).hasSize(found.size());
        assertThat(store.documents().documents("incident")).hasSize(found.size());
        var second = documents.writeIncidents(List.of(), Set.of("device:0/water", "device:2/water"));
        assertThat(second.closed())
                .extracting(io.meterbase.analytics.service.Incident::customer)
                .containsOnly(0L, 2L);
        assertThat(second.raised()).isEmpty();
        long stillOpen = store.documents().documents("incident").values().stream()
                .filter(json -> json.contains("\"state\":\"open\""))
                .count();
        assertThat(stillOpen).isEqualTo(found.size() - second.closed().size()).isPositive();
    }

    @Test
    void clusters_onMllib_chooseTheSameKAndGroupTheMetersAsTheServer() {
        // GIVEN a year of 40 meters of four kinds
        SyntheticMeters.Kind[] kinds = SyntheticMeters.Kind.values();
        Random r = new Random(5);
        Map<String, double[]> meters = new HashMap<>();
        Map<String, SyntheticMeters.Kind> kindOf = new HashMap<>();
        List<double[]> profiles = new ArrayList<>();
        List<String> order = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String meter = "device:" + i + "/main";
            double[] v = SyntheticMeters.series(kinds[i % kinds.length], FIRST, 8760, r);
            meters.put(meter, v);
            kindOf.put(meter, kinds[i % kinds.length]);
            profiles.add(LoadProfile.of(v, FIRST));
            order.add(meter);
        }
        Clusters.Result inProcess = Clusters.cluster(profiles, 2, 6, 1);

        // WHEN the job clusters them
        FleetJobs.Clustering spark = FleetJobs.clusters(history(meters), 2, 6, 1);

        // THEN both choose four clusters, and group the meters alike: each cluster holds one kind in both
        assertThat(inProcess.k()).isEqualTo(4);
        assertThat(spark.k()).isEqualTo(inProcess.k());
        assertThat(spark.silhouette()).isGreaterThan(spark.silhouetteByK()[2]);
        Map<Integer, Set<SyntheticMeters.Kind>> sparkGroups = new HashMap<>();
        for (Row row : spark.assignments().collectAsList()) {
            sparkGroups.computeIfAbsent(row.getInt(1), c -> new HashSet<>()).add(kindOf.get(row.getString(0)));
        }
        assertThat(sparkGroups).hasSize(4);
        assertThat(sparkGroups.values())
                .allSatisfy(kindsIn -> assertThat(kindsIn).hasSize(1));
        Map<Integer, Set<SyntheticMeters.Kind>> serverGroups = new HashMap<>();
        for (int i = 0; i < order.size(); i++) {
            serverGroups
                    .computeIfAbsent(inProcess.assignment()[i], c -> new HashSet<>())
                    .add(kindOf.get(order.get(i)));
        }
        assertThat(new HashSet<>(sparkGroups.values())).isEqualTo(new HashSet<>(serverGroups.values()));
    }

    @Test
    void forecastModels_trainedOnSpark_forecastAsTheServersTrainedOnTheSameRows() {
        // GIVEN 12 meters of two kinds with 45 days of hourly history
        SyntheticMeters.Kind[] kinds = {SyntheticMeters.Kind.EVENING_HOUSEHOLD, SyntheticMeters.Kind.DAYTIME_BUSINESS};
        Random r = new Random(9);
        Map<String, double[]> meters = new java.util.TreeMap<>();
        List<io.meterbase.analytics.forecast.FleetForecaster.Series> series = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            double[] v = SyntheticMeters.series(kinds[i % 2], FIRST, 45 * 24, r);
            meters.put("device:" + i + "/main", v);
            series.add(new io.meterbase.analytics.forecast.FleetForecaster.Series(v, FIRST));
        }

        // WHEN the models are trained in process on every origin of the last 7 days, and as a Spark job
        io.meterbase.analytics.forecast.FleetForecaster inProcess =
                new io.meterbase.analytics.forecast.FleetForecaster(0.01, 0.5, Integer.MAX_VALUE, true);
        inProcess.train(series, 7, 7);
        io.meterbase.analytics.forecast.FleetForecaster onSpark =
                FleetJobs.trainForecasts(history(meters), 0.01, 0.5, true, 7);

        // THEN both forecast every meter's next 24 hours alike (the fits agree to the solver's tolerance)
        for (io.meterbase.analytics.forecast.FleetForecaster.Series s : series) {
            int origin = s.values().length - 1;
            double[] a = inProcess.forecast(s, origin).value();
            double[] b = onSpark.forecast(s, origin).value();
            for (int h = 0; h < a.length; h++) {
                assertThat(b[h]).isCloseTo(a[h], org.assertj.core.api.Assertions.within(1e-3 * (1 + Math.abs(a[h]))));
            }
        }

        // AND the forecast job gives each meter the server's 24 hours with their interval
        List<Row> rows = FleetJobs.forecasts(history(meters), onSpark, 0.01, 0.5, true, 7, 0.8)
                .collectAsList();
        assertThat(rows).hasSize(12 * 24);
        io.meterbase.analytics.forecast.FleetForecaster.Series first = series.get(0);
        double[] expected =
                onSpark.forecast(first, first.values().length - 1, 7, 0.8).value();
        List<Row> ofFirst = rows.stream()
                .filter(row -> row.getString(0).equals("device:0/main"))
                .sorted(java.util.Comparator.comparing(row -> row.getTimestamp(1)))
                .toList();
        assertThat(ofFirst.get(0).getTimestamp(1).getTime()).isEqualTo(START + 45 * 24 * HOUR);
        for (int h = 0; h < 24; h++) {
            assertThat(ofFirst.get(h).getDouble(2)).isEqualTo(expected[h]);
            assertThat(ofFirst.get(h).getDouble(3))
                    .isLessThanOrEqualTo(ofFirst.get(h).getDouble(2));
        }
    }
}
