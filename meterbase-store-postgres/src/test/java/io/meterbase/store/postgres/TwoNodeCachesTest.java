package io.meterbase.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterbase.core.auth.AuthResult;
import io.meterbase.core.model.Category;
import io.meterbase.core.model.DeviceType;
import io.meterbase.core.model.Role;
import io.meterbase.core.registry.Registry;
import io.meterbase.store.contract.PgCluster;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Two nodes on one database, each with its registry in memory: what one node changes reaches the other through
 * PostgreSQL's LISTEN/NOTIFY within two seconds, and after the feed's connection broke the other node reads
 * everything again (before, a key revoked on one node was accepted by the other until its restart).
 */
class TwoNodeCachesTest {

    private static final Duration WITHIN = Duration.ofSeconds(2);

    @Test
    void keysAndDevicesMadeOrRevokedOnOneNode_reachTheOtherWithinTwoSeconds() throws Exception {
        try (PgCluster cluster = PgCluster.start();
                PostgresStore one = node(cluster, true);
                PostgresStore two = node(cluster, false)) {
            // GIVEN two nodes, the second listening to the store's changes
            Registry a = new Registry(one.metadata(), Clock.systemUTC());
            Registry b = new Registry(two.metadata(), Clock.systemUTC());
            AutoCloseable feed = two.listen(b::refresh);
            try {
                // WHEN node 1 makes a customer and a key
                long customer = a.createCustomer("Flat 3", null, null, null, "north", ZoneId.of("UTC"))
                        .id();
                Registry.CreatedKey key = a.createKey(customer, Role.CUSTOMER, "uploads");

                // THEN node 2 accepts the key within two seconds
                assertThat(within(() -> b.authenticate(key.secret()) instanceof AuthResult.Accepted))
                        .isLessThan(WITHIN);
                assertThat(b.customer(customer)).isPresent();

                // WHEN node 1 revokes it
                a.revokeKey(key.key().id());

                // THEN node 2 refuses it within two seconds, as revoked
                assertThat(within(() -> b.authenticate(key.secret()) instanceof AuthResult.Refused r && r.revoked()))
                        .isLessThan(WITHIN);

                // WHEN node 1 registers a device with a channel, and renames the device
                long site = a.defaultSite(customer).id();
                var device = a.registerDevice(
                        customer, site, 0, "heat-pump", "Heat pump", DeviceType.SMART_PLUG, Category.HEATING);
                var channel = a.channelOrCreate(
                        device.id(),
                        "power",
                        io.meterbase.core.model.Quantity.ACTIVE_POWER,
                        io.meterbase.core.model.Accumulation.INSTANT);
                a.updateDevice(device.withNameAndCategory("Heat pump (garage)", Category.HEATING));

                // THEN node 2 knows the device by its reference, with its new name, and its channel
                assertThat(within(() -> b.device(customer, "heat-pump")
                                .map(d -> d.name().equals("Heat pump (garage)"))
                                .orElse(false)))
                        .isLessThan(WITHIN);
                assertThat(b.channel(channel.id())).contains(channel);
                assertThat(b.devices(customer)).hasSize(1);

                // WHEN the database restarts (the feed's connection breaks) and node 1 makes a key meanwhile
                cluster.restart();
                Registry.CreatedKey later = retrying(() -> a.createKey(customer, Role.CUSTOMER, "after restart"));

                // THEN node 2 accepts it once its feed is back (it reads everything again)
                assertThat(within(() -> b.authenticate(later.secret()) instanceof AuthResult.Accepted))
                        .isLessThan(Duration.ofSeconds(10));
            } finally {
                feed.close();
            }
        }
    }

    /** How long the condition took to hold (up to 15 s; longer fails). */
    private static Duration within(BooleanSupplier condition) throws InterruptedException {
        long start = System.nanoTime();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - start > 15_000_000_000L) {
                throw new AssertionError("the other node did not learn of the change within 15 s");
            }
            Thread.sleep(10);
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /** A write retried while the pool reconnects after the restart. */
    private static <T> T retrying(java.util.function.Supplier<T> write) throws InterruptedException {
        for (int attempt = 0; ; attempt++) {
            try {
                return write.get();
            } catch (io.meterbase.core.store.StoreException e) {
                if (attempt > 50) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }

    private static PostgresStore node(PgCluster cluster, boolean migrate) {
        return PostgresStore.open(
                new PostgresOptions(cluster.url("meterbase"), PgCluster.USER, PgCluster.PASSWORD, 4, migrate));
    }
}
