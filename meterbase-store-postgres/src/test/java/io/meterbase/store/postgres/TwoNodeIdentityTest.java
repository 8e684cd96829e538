package io.meterbase.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterbase.core.model.Accumulation;
import io.meterbase.core.model.ApiKey;
import io.meterbase.core.model.Category;
import io.meterbase.core.model.Channel;
import io.meterbase.core.model.Customer;
import io.meterbase.core.model.Device;
import io.meterbase.core.model.DeviceType;
import io.meterbase.core.model.Quantity;
import io.meterbase.core.model.Role;
import io.meterbase.core.registry.Registry;
import io.meterbase.store.contract.PgCluster;
import java.time.Clock;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Two Meterbase nodes on one PostgreSQL database (two stores, two registries, as two processes would have) create
 * customers, sites, keys, devices and channels at the same moment: every id is the database's, so none is handed
 * out twice, and the database keeps every row (before ids came from the database, each node counted on from the
 * largest id it had read at its start, and the second node's rows replaced the first's).
 */
class TwoNodeIdentityTest {

    private static final int PER_NODE = 40;

    /** What one node made. */
    private record Made(List<Customer> customers, List<ApiKey> keys, List<Device> devices, List<Channel> channels) {}

    @Test
    void twoNodesCreatingAtOnce_getDistinctIds_andTheDatabaseKeepsEveryRow() throws Exception {
        try (PgCluster cluster = PgCluster.start();
                PostgresStore one = node(cluster, true);
                PostgresStore two = node(cluster, false)) {
            // GIVEN two nodes that started on the same (empty) database
            Registry a = new Registry(one.metadata(), Clock.systemUTC());
            Registry b = new Registry(two.metadata(), Clock.systemUTC());

            // WHEN both create 40 customers, each with a key, two devices and two channels a device, at once
            ExecutorService pool = Executors.newFixedThreadPool(2);
            CountDownLatch go = new CountDownLatch(1);
            try {
                Future<Made> fromA = pool.submit(() -> make(a, "a", go));
                Future<Made> fromB = pool.submit(() -> make(b, "b", go));
                go.countDown();
                Made madeA = fromA.get();
                Made madeB = fromB.get();

                // THEN no id was handed out twice, across kinds that share the id space too
                List<Long> entityIds = new ArrayList<>();
                List<Integer> channelIds = new ArrayList<>();
                for (Made m : List.of(madeA, madeB)) {
                    m.customers().forEach(c -> entityIds.add(c.id()));
                    m.keys().forEach(k -> entityIds.add(k.id()));
                    m.devices().forEach(d -> entityIds.add(d.id()));
                    m.channels().forEach(c -> channelIds.add(c.id()));
                }
                assertThat(entityIds).hasSize(2 * PER_NODE * 4).doesNotHaveDuplicates();
                assertThat(channelIds).hasSize(2 * PER_NODE * 4).doesNotHaveDuplicates();

                // AND the database keeps every row, each as its node made it (a third node reads them all)
                Registry third = new Registry(one.metadata(), Clock.systemUTC());
                assertThat(third.customers()).hasSize(2 * PER_NODE);
                Set<String> names = new HashSet<>();
                third.customers().forEach(c -> names.add(c.name()));
                assertThat(names).hasSize(2 * PER_NODE);
                for (Made m : List.of(madeA, madeB)) {
                    for (Device d : m.devices()) {
                        assertThat(third.device(d.id())).contains(d);
                    }
                    for (Channel c : m.channels()) {
                        assertThat(third.channel(c.id())).contains(c);
                    }
                }
                assertThat(Stream.of(madeA, madeB)
                                .flatMap(m -> m.keys().stream())
                                .map(ApiKey::id)
                                .allMatch(
                                        id -> one.metadata().apiKeys().stream().anyMatch(k -> k.id() == id)))
                        .isTrue();
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void theSameNewDevices_registeredOnTwoNodesAtOnce_becomeOneDeviceEach_andOneChannelEachName() throws Exception {
        try (PgCluster cluster = PgCluster.start();
                PostgresStore one = node(cluster, true);
                PostgresStore two = node(cluster, false)) {
            // GIVEN a customer both nodes know
            Registry a = new Registry(one.metadata(), Clock.systemUTC());
            long customer = a.createCustomer("Block 7", null, null, null, "north", ZoneId.of("UTC"))
                    .id();
            long site = a.defaultSite(customer).id();
            Registry b = new Registry(two.metadata(), Clock.systemUTC());

            // WHEN a gateway's 60 meters report for the first time to both nodes at once (a load balancer spraying
            // the same upload), each node registering them as the intake does, asking again after a conflict
            List<Registry.NewDevice> meters = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                meters.add(new Registry.NewDevice("meter-" + i, null, DeviceType.ELECTRICITY_METER, Category.MAIN));
            }
            ExecutorService pool = Executors.newFixedThreadPool(4);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<List<Channel>>> sent = new ArrayList<>();
            try {
                for (Registry node : List.of(a, b, a, b)) {
                    sent.add(pool.submit(() -> {
                        go.await();
                        return registerAsTheIntakeDoes(node, customer, site, meters);
                    }));
                }
                go.countDown();
                List<List<Channel>> answers = new ArrayList<>();
                for (Future<List<Channel>> f : sent) {
                    answers.add(f.get());
                }

                // THEN the database has one device per meter and one channel per device and name
                assertThat(one.metadata().devices()).hasSize(60);
                assertThat(one.metadata().channels()).hasSize(60);
                // AND every node answered with those rows: the same channel ids whichever node was asked
                Set<Integer> stored = new HashSet<>();
                one.metadata().channels().forEach(c -> stored.add(c.id()));
                for (List<Channel> answer : answers) {
                    assertThat(answer).extracting(Channel::id).containsExactlyInAnyOrderElementsOf(stored);
                }
                for (int i = 0; i < 60; i++) {
                    Device onA = a.device(customer, "meter-" + i).orElseThrow();
                    Device onB = b.device(customer, "meter-" + i).orElseThrow();
                    assertThat(onA).isEqualTo(onB);
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /** Devices and their energy channel in one registration, asked again when another node was first. */
    private static List<Channel> registerAsTheIntakeDoes(
            Registry node, long customer, long site, List<Registry.NewDevice> meters) {
        for (int attempt = 1; ; attempt++) {
            try {
                Registry.Registration registration = node.registration();
                List<Device> devices = node.devicesOrRegister(customer, site, 0, meters, registration);
                List<Registry.NewChannel> wanted = new ArrayList<>();
                for (Device d : devices) {
                    wanted.add(
                            new Registry.NewChannel(d.id(), "energy", Quantity.ENERGY_IMPORT, Accumulation.CUMULATIVE));
                }
                List<Channel> channels = node.channelsOrCreate(wanted, registration);
                registration.await();
                return channels;
            } catch (io.meterbase.core.store.RegistrationConflictException e) {
                if (attempt == 3) {
                    throw e;
                }
            }
        }
    }

    /** One node's store on the cluster's database (the first to start migrates it). */
    private static PostgresStore node(PgCluster cluster, boolean migrate) {
        return PostgresStore.open(
                new PostgresOptions(cluster.url("meterbase"), PgCluster.USER, PgCluster.PASSWORD, 4, migrate));
    }

    private static Made make(Registry node, String name, CountDownLatch go) throws InterruptedException {
        go.await();
        List<Customer> customers = new ArrayList<>();
        List<ApiKey> keys = new ArrayList<>();
        List<Device> devices = new ArrayList<>();
        List<Channel> channels = new ArrayList<>();
        for (int i = 0; i < PER_NODE; i++) {
            Customer c = node.createCustomer(name + "-" + i, null, null, null, "north", ZoneId.of("UTC"));
            customers.add(c);
            keys.add(node.createKey(c.id(), Role.CUSTOMER, "uploads").key());
            long site = node.defaultSite(c.id()).id();
            for (String ref : List.of("meter", "plug")) {
                Device d = node.registerDevice(c.id(), site, 0, ref, ref, DeviceType.ELECTRICITY_METER, Category.MAIN);
                devices.add(d);
                channels.add(node.channelOrCreate(d.id(), "energy", Quantity.ENERGY_IMPORT, Accumulation.CUMULATIVE));
                channels.add(node.channelOrCreate(d.id(), "power", Quantity.ACTIVE_POWER, Accumulation.INSTANT));
            }
        }
        return new Made(customers, keys, devices, channels);
    }
}
