package io.meterbase.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterbase.analytics.cluster.SyntheticMeters;
import io.meterbase.analytics.service.Analytics;
import io.meterbase.analytics.service.CustomerClusters;
import io.meterbase.analytics.service.MeterForecast;
import io.meterbase.core.api.alarm.Alarm;
import io.meterbase.core.ingest.LiveState;
import io.meterbase.core.model.Accumulation;
import io.meterbase.core.model.Category;
import io.meterbase.core.model.Channel;
import io.meterbase.core.model.DeviceType;
import io.meterbase.core.model.Quantity;
import io.meterbase.core.query.ConsumptionService;
import io.meterbase.core.registry.Registry;
import io.meterbase.core.store.Rollup;
import io.meterbase.services.alarm.AlarmService;
import io.meterbase.store.contract.PgCluster;
import io.meterbase.store.postgres.PostgresOptions;
import io.meterbase.store.postgres.PostgresStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The Spark jobs as an operator runs them ({@code scripts/spark-jobs … --postgres … --write-to …}) against
 * Meterbase's PostgreSQL store, and a server with {@code analytics.jobs=spark} on the same store serving what they
 * wrote: forecasts of meters and their community, the customers' clusters, and incidents with their alarms raised and
 * cleared.
 */
class SparkWriteBackPostgresTest {

    private static final long HOUR = 3_600_000L;
    private static final Instant T0 = Instant.parse("2026-09-01T00:00:00Z");
    private static final int DAYS = 35;
    private static final Instant END = T0.plus(Duration.ofDays(DAYS));

    @Test
    void theJobsWriteTheServersDocuments_andTheServerServesThem() throws Exception {
        System.setProperty("spark.driver.host", "127.0.0.1");
        try (PgCluster cluster = PgCluster.start();
                PostgresStore store = PostgresStore.open(
                        new PostgresOptions(cluster.url("meterbase"), PgCluster.USER, PgCluster.PASSWORD, 2, true))) {
            // GIVEN eight customers of one community, four evening households and four daytime businesses, with 35
            // days of hourly electricity, and the first of them a water meter with 400 L in one hour ten hours ago
            // (a spike, and a day unlike the others)
            Clock clock = Clock.fixed(END.plusSeconds(300), ZoneOffset.UTC);
            Registry registry = new Registry(store.metadata(), clock);
            Random random = new Random(3);
            List<Rollup> rollups = new ArrayList<>();
            List<Long> customers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                long customer = registry.createCustomer("C" + i, null, null, null, "north", ZoneId.of("UTC"))
                        .id();
                customers.add(customer);
                long site = registry.defaultSite(customer).id();
                long meter = registry.registerDevice(
                                customer, site, 0, "meter-1", "Meter", DeviceType.ELECTRICITY_METER, Category.MAIN)
                        .id();
                Channel energy =
                        registry.channelOrCreate(meter, "energy", Quantity.ENERGY_IMPORT, Accumulation.CUMULATIVE);
                double[] wh = SyntheticMeters.series(
                        i < 4 ? SyntheticMeters.Kind.EVENING_HOUSEHOLD : SyntheticMeters.Kind.DAYTIME_BUSINESS,
                        LocalDateTime.ofInstant(T0, ZoneOffset.UTC),
                        DAYS * 24,
                        random);
                for (int h = 0; h < wh.length; h++) {
                    rollups.add(new Rollup(energy.id(), T0.toEpochMilli() + h * HOUR, 1, wh[h], wh[h], wh[h], wh[h]));
                }
            }
            long first = customers.get(0);
            long waterMeter = registry.registerDevice(
                            first,
                            registry.defaultSite(first).id(),
                            0,
                            "water-1",
                            "Water",
                            DeviceType.WATER_METER,
                            Category.MAIN)
                    .id();
            Channel water =
                    registry.channelOrCreate(waterMeter, "volume", Quantity.WATER_VOLUME, Accumulation.CUMULATIVE);
            for (int h = 0; h < DAYS * 24; h++) {
                int hourOfDay = h % 24;
                double litres = hourOfDay < 6 ? 0 : hourOfDay == 7 || hourOfDay == 19 ? 40 : 3;
                if (h == DAYS * 24 - 10) {
                    litres += 400;
                }
                rollups.add(new Rollup(water.id(), T0.toEpochMilli() + h * HOUR, 1, litres, litres, litres, litres));
            }
            store.readings().upsertHourly(rollups);

            // AND a server on the same store whose analytics are the Spark jobs'
            LiveState live = new LiveState();
            AlarmService alarms = new AlarmService(registry, store.documents(), live, clock);
            ConsumptionService consumption =
                    new ConsumptionService(registry, store.readings(), live, clock, Duration.ofMinutes(5));
            try (Analytics analytics = Analytics.start(
                    registry,
                    store,
                    consumption,
                    live,
                    alarms,
                    clock,
                    new Analytics.Settings(
                            false,
                            Duration.ofHours(1),
                            Duration.ofMinutes(1),
                            Duration.ofDays(1),
                            500,
                            Duration.ofDays(1),
                            DAYS,
                            Analytics.Jobs.SPARK))) {
                assertThat(analytics.forecasts().ofCustomer(first)).isEmpty();

                // WHEN the three jobs run over the store and write into it, and the server reads them
                String url = cluster.url("meterbase");
                job("forecasts", url, "ENERGY_IMPORT", END);
                job("clusters", url, "ENERGY_IMPORT", END);
                job("incidents", url, "WATER_VOLUME", END, "--commodity", "water");
                Analytics.Summary summary = analytics.runNow();

                // THEN the server serves 24 hours of forecast for each meter and for the community's total
                assertThat(summary.reloaded()).isNotNull();
                assertThat(summary.reloaded().forecasts()).isEqualTo(9);
                MeterForecast meter =
                        analytics.forecasts().ofDevice(first, "meter-1").orElseThrow();
                assertThat(meter.hours()).hasSize(24);
                assertThat(meter.nextHour().start()).isEqualTo(END);
                assertThat(meter.community()).isEqualTo("north");
                assertThat(meter.unit()).isEqualTo("Wh");
                assertThat(meter.levelPerHour()).isPositive();
                MeterForecast community =
                        analytics.forecasts().ofCommunity("north").orElseThrow();
                assertThat(community.levelPerHour()).isGreaterThan(meter.levelPerHour());

                // AND the customers' clusters: households together, businesses together
                CustomerClusters clusters = analytics.clusters().latest().orElseThrow();
                assertThat(clusters.customers()).isEqualTo(8);
                assertThat(clusters.days()).isEqualTo(DAYS);
                Set<Integer> households = new HashSet<>();
                Set<Integer> businesses = new HashSet<>();
                for (int i = 0; i < 8; i++) {
                    (i < 4 ? households : businesses).add(clusters.assignments().get(customers.get(i)));
                }
                assertThat(households).hasSize(1);
                assertThat(businesses).hasSize(1).doesNotContainAnyElementsOf(households);
                assertThat(analytics.clusters().of(first).orElseThrow().description())
                        .contains("evening-peak");

                // AND the water meter's spike as an open incident, with its alarm raised by the server
                assertThat(analytics.incidents().incidents(first, true, 10))
                        .extracting(i -> i.type() + " " + i.device())
                        .containsExactlyInAnyOrder("consumption_spike water-1", "unusual_day water-1");
                assertThat(summary.reloaded().incidentsRaised()).isEqualTo(2);
                assertThat(alarms.alarms(first, Alarm.State.ACTIVE, 10))
                        .extracting(Alarm::type)
                        .contains("consumption_spike");

                // WHEN the scan runs again over a history without the spike (up to an hour before it)
                job("incidents", url, "WATER_VOLUME", END.minus(Duration.ofHours(11)), "--commodity", "water");
                Analytics.Reload again = analytics.reload();

                // THEN the incidents are closed and their alarms cleared
                assertThat(again.incidentsClosed()).isEqualTo(2);
                assertThat(analytics.incidents().incidents(first, true, 10)).isEmpty();
                assertThat(alarms.alarms(first, Alarm.State.ACTIVE, 10))
                        .extracting(Alarm::type)
                        .doesNotContain("consumption_spike");
            }
        } finally {
            System.clearProperty("spark.driver.host");
        }
    }

    private static void job(String job, String url, String quantity, Instant to, String... more) {
        List<String> args = new ArrayList<>(List.of(
                job,
                "--postgres",
                url,
                "--user",
                PgCluster.USER,
                "--quantity",
                quantity,
                "--from",
                T0.toString(),
                "--to",
                to.toString(),
                "--write-to",
                url,
                "--master",
                "local[2]",
                "--partitions",
                "2"));
        args.addAll(List.of(more));
        SparkJobs.run(args.toArray(String[]::new), PgCluster.PASSWORD);
    }
}
