package io.meterbase.core.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meterbase.core.ingest.MemoryMetadataStore;
import io.meterbase.core.model.Category;
import io.meterbase.core.model.Customer;
import io.meterbase.core.model.Device;
import io.meterbase.core.model.DeviceType;
import io.meterbase.core.store.MetadataBatch;
import io.meterbase.core.store.StoreException;
import java.time.Clock;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Registrations of many threads made durable together, over a store that is slow or fails. */
class RegistrationCommitTest {

    private final MemoryMetadataStore store = new MemoryMetadataStore();
    private final Registry registry = new Registry(store, Clock.systemUTC());
    private final Customer customer = registry.createCustomer("c", "c", null, null, "c", ZoneId.of("UTC"));

    /** Registers devices m-0 … m-(n-1), each from its own virtual thread at once; their futures, in order. */
    private List<Future<Device>> registerAtOnce(int n) {
        long site = registry.defaultSite(customer.id()).id();
        List<Future<Device>> out = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < n; i++) {
                String ref = "m-" + i;
                out.add(threads.submit(() -> registry.devicesOrRegister(
                                customer.id(),
                                site,
                                0,
                                List.of(new Registry.NewDevice(
                                        ref, null, DeviceType.ELECTRICITY_METER, Category.OTHER)))
                        .get(0)));
            }
        }
        return out;
    }

    @Test
    void thousandsRegisteringAtOnce_shareFewCommits_andEachIsDurableAndVisibleWithItsOwnId() throws Exception {
        // GIVEN a store that takes 5 ms a commit, whatever its size
        store.saveAllDelay(5);
        int before = store.commits();

        // WHEN 2,000 new devices register at once, each from its own thread
        List<Future<Device>> registered = registerAtOnce(2_000);

        // THEN each has its own id, is stored and visible; and they took far fewer commits than devices
        Set<Long> ids = new HashSet<>();
        for (Future<Device> f : registered) {
            ids.add(f.get(10, TimeUnit.SECONDS).id());
        }
        assertThat(ids).hasSize(2_000);
        assertThat(store.devices()).hasSize(2_000);
        assertThat(registry.devices(customer.id())).hasSize(2_000);
        assertThat(store.commits() - before).isLessThan(200);
    }

    @Test
    void aStoreThatFails_failsEveryRegistrationOfTheCommit_andNoneIsVisible_untilItWorksAgain() throws Exception {
        // GIVEN a store that fails
        store.failSaveAll(true);

        // WHEN 200 devices register at once
        List<Future<Device>> refused = registerAtOnce(200);

        // THEN every one fails with the store's error, and none is stored or visible
        for (Future<Device> f : refused) {
            assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(StoreException.class);
        }
        assertThat(store.devices()).isEmpty();
        assertThat(registry.devices(customer.id())).isEmpty();

        // AND once the store works again, they register
        store.failSaveAll(false);
        for (Future<Device> f : registerAtOnce(200)) {
            assertThat(f.get(10, TimeUnit.SECONDS).ref()).startsWith("m-");
        }
        assertThat(registry.devices(customer.id())).hasSize(200);
    }

    @Test
    void aCallbackThatFails_failsOnlyItsOwnTicket_andLeavesNoOtherUnanswered() {
        // GIVEN three batches queued for one commit, the first of which fails in its callback
        RegistrationCommit commit = new RegistrationCommit(store, new Object(), stored -> {});
        MetadataBatch empty = new MetadataBatch(List.of(), List.of(), List.of());
        List<String> ran = new ArrayList<>();
        RegistrationCommit.Ticket failing = commit.enqueue(
                empty,
                () -> {
                    throw new IllegalStateException("callback failed");
                },
                () -> {});
        RegistrationCommit.Ticket second = commit.enqueue(empty, () -> ran.add("second"), () -> {});
        RegistrationCommit.Ticket third = commit.enqueue(empty, () -> ran.add("third"), () -> {});

        // WHEN the owner of the second makes the commit
        commit.await(second);

        // THEN the others' callbacks ran and their tickets are done; only the failing one's ticket carries the failure
        assertThat(ran).containsExactly("second", "third");
        assertThat(third.done).isCompleted();
        assertThat(failing.done).isCompletedExceptionally();
        assertThatThrownBy(() -> commit.await(failing)).hasMessageContaining("callback failed");
    }
}
