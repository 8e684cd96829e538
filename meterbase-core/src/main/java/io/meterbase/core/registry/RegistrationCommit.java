package io.meterbase.core.registry;

import io.meterbase.core.model.Channel;
import io.meterbase.core.model.Device;
import io.meterbase.core.model.Gateway;
import io.meterbase.core.store.MetadataBatch;
import io.meterbase.core.store.MetadataStore;
import io.meterbase.core.store.StoreException;
import java.util.ArrayList;
import java.util.List;

/**
 * Group commit of registrations: every thread that registers gateways, devices or channels queues them and the
 * first to reach the store saves everything queued in one transaction, for itself and the others. A thousand
 * meters reporting for the first time at once cost a few commits, not a thousand. Thread-safe; call
 * {@link #enqueue} while holding the registry's lock, then {@link #await} without it.
 */
final class RegistrationCommit {

    /** One thread's batch, and what to do once it is durable. */
    static final class Ticket {
        final MetadataBatch batch;
        final Runnable onDurable;
        final Runnable onFailure;
        boolean done;
        RuntimeException failure;

        Ticket(MetadataBatch batch, Runnable onDurable, Runnable onFailure) {
            this.batch = batch;
            this.onDurable = onDurable;
            this.onFailure = onFailure;
        }
    }

    private final MetadataStore store;
    private final Object commitLock = new Object();
    private final List<Ticket> queue = new ArrayList<>();

    RegistrationCommit(MetadataStore store) {
        this.store = store;
    }

    /** A batch queued for the next commit. */
    Ticket enqueue(MetadataBatch batch, Runnable onDurable, Runnable onFailure) {
        Ticket t = new Ticket(batch, onDurable, onFailure);
        synchronized (queue) {
            queue.add(t);
        }
        return t;
    }

    /**
     * Returns once the ticket's batch is durable, committing everything queued when no other thread is doing so;
     * the batch's {@code onDurable} (or {@code onFailure}) has run by then, under the commit lock, so batches become
     * visible in commit order.
     *
     * @throws StoreException when the commit failed; nothing of the batch was kept
     */
    void await(Ticket mine) {
        synchronized (commitLock) {
            if (!mine.done) {
                List<Ticket> taken;
                synchronized (queue) {
                    taken = new ArrayList<>(queue);
                    queue.clear();
                }
                commit(taken);
            }
            if (mine.failure != null) {
                throw mine.failure;
            }
        }
    }

    private void commit(List<Ticket> tickets) {
        List<Gateway> gateways = new ArrayList<>();
        List<Device> devices = new ArrayList<>();
        List<Channel> channels = new ArrayList<>();
        for (Ticket t : tickets) {
            gateways.addAll(t.batch.gateways());
            devices.addAll(t.batch.devices());
            channels.addAll(t.batch.channels());
        }
        try {
            if (!gateways.isEmpty() || !devices.isEmpty() || !channels.isEmpty()) {
                store.saveAll(new MetadataBatch(gateways, devices, channels));
            }
        } catch (RuntimeException e) {
            for (Ticket t : tickets) {
                t.failure = e;
                t.done = true;
                t.onFailure.run();
            }
            return;
        }
        for (Ticket t : tickets) {
            t.done = true;
            t.onDurable.run();
        }
    }
}
