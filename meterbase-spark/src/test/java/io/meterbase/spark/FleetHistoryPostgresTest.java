package io.meterbase.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterbase.core.model.Accumulation;
import io.meterbase.core.model.Category;
import io.meterbase.core.model.Channel;
import io.meterbase.core.model.DeviceType;
import io.meterbase.core.model.Quantity;
import io.meterbase.core.registry.Registry;
import io.meterbase.core.store.Rollup;
import io.meterbase.store.contract.PgCluster;
import io.meterbase.store.postgres.PostgresOptions;
import io.meterbase.store.postgres.PostgresStore;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** The jobs read a fleet's hourly history straight from Meterbase's PostgreSQL store over JDBC. */
class FleetHistoryPostgresTest {

    private static final long HOUR = 3_600_000L;
    private static final Instant T0 = Instant.parse("2026-10-01T00:00:00Z");

    @Test
    void theHourlyRollupsOfOneQuantity_areReadPerDevice() throws Exception {
        try (PgCluster cluster = PgCluster.start();
                PostgresStore store = PostgresStore.open(
                        new PostgresOptions(cluster.url("meterbase"), PgCluster.USER, PgCluster.PASSWORD, 2, true))) {
            // GIVEN a customer with a water meter (two channels: both count for the device) and an electricity meter
            Registry registry = new Registry(store.metadata(), Clock.systemUTC());
            long customer = registry.createCustomer("Flat", null, null, null, "north", ZoneId.of("UTC"))
                    .id();
            long site = registry.defaultSite(customer).id();
            long water = registry.registerDevice(
                            customer, site, 0, "water-1", "Water", DeviceType.WATER_METER, Category.MAIN)
                    .id();
            long power = registry.registerDevice(
                            customer, site, 0, "meter-1", "Meter", DeviceType.ELECTRICITY_METER, Category.MAIN)
                    .id();
            Channel cold = registry.channelOrCreate(water, "cold", Quantity.WATER_VOLUME, Accumulation.CUMULATIVE);
            Channel hot = registry.channelOrCreate(water, "hot", Quantity.WATER_VOLUME, Accumulation.CUMULATIVE);
            Channel energy = registry.channelOrCreate(power, "energy", Quantity.ENERGY_IMPORT, Accumulation.CUMULATIVE);
            List<Rollup> rollups = new ArrayList<>();
            for (int h = 0; h < 48; h++) {
                long start = T0.toEpochMilli() + h * HOUR;
                rollups.add(new Rollup(cold.id(), start, 1, 1, 1, 1, 10));
                rollups.add(new Rollup(hot.id(), start, 1, 1, 1, 1, 5));
                rollups.add(new Rollup(energy.id(), start, 1, 1, 1, 1, 300));
            }
            store.readings().upsertHourly(rollups);

            // WHEN the water history of the first day is read
            SparkSession spark = SparkSession.builder()
                    .master("local[2]")
                    .config("spark.ui.enabled", "false")
                    .config("spark.driver.host", "127.0.0.1")
                    .getOrCreate();
            try {
                List<Row> rows = FleetHistory.postgres(
                                spark,
                                cluster.url("meterbase"),
                                PgCluster.USER,
                                PgCluster.PASSWORD,
                                "WATER_VOLUME",
                                T0.toString(),
                                T0.plusSeconds(24 * 3600).toString(),
                                2)
                        .collectAsList();

                // THEN it is one meter's 24 hours of 15 L (both its channels), and no electricity
                assertThat(rows).hasSize(24);
                assertThat(rows).allSatisfy(r -> {
                    assertThat(r.getString(0)).isEqualTo("device:" + customer + "/water-1");
                    assertThat(r.getDouble(2)).isEqualTo(15.0);
                });
            } finally {
                spark.stop();
            }
        }
    }
}
