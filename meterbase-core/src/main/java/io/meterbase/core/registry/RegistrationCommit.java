package io.meterbase.core.registry;

import io.meterbase.core.model.Channel;
import io.meterbase.core.model.Device;
import io.meterbase.core.model.Gateway;
import io.meterbase.core.store.MetadataBatch;
import io.meterbase.core.store.MetadataStore;
import io.meterbase.core.store.StoreException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

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
        final CompletableFuture<Void> done = new CompletableFuture<>();
        /** What its callback threw, if anything (set under the commit lock). */
        private @Nullable RuntimeException callbackFailure;

        Ticket(MetadataBatch batch, Runnable onDurable, Runnable onFailure) {
            this.batch = batch;
            this.onDurable = onDurable;
            this.onFailure = onFailure;
        }
    }

    private final MetadataStore store;
    private final Object callbackLock;
    private final ReentrantLock commitLock = new ReentrantLock();
    private final List<Ticket> queue = new ArrayList<>();

    /**
     * @param callbackLock held while the batches' callbacks run, once for the whole commit: the callbacks take it
     *     too (the registry's monitor), and taking it once instead of once per batch keeps a commit of thousands of
     *     batches from queueing thousands of times behind the threads that register
     */
    RegistrationCommit(MetadataStore store, Object callbackLock) {
        this.store = store;
        this.callbackLock = callbackLock;
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
     * Returns once the ticket's batch is durable. A waiting thread that gets the commit lock commits everything
     * queued, for itself and the others (a few rounds while more comes), and after letting the lock go looks at the
     * queue again and goes on committing while it is not empty, whether or not its own batch is done: a batch queued
     * while the lock was held, whose owner found the lock taken and waits, is committed by the thread that held
     * it. The others wait for their ticket without spinning. The batch's {@code onDurable} (or
     * {@code onFailure}) has run by then, under the commit lock, so batches become visible in commit order.
     *
     * @throws StoreException when the commit failed; nothing of the batch was kept
     */
    void await(Ticket mine) {
        assert !Thread.holdsLock(callbackLock) : "await a registration outside the registry's monitor";
        while (true) {
            if (commitLock.tryLock()) {
                try {
                    List<Ticket> taken;
                    for (int round = 0; round < 8 && !(taken = drain()).isEmpty(); round++) {
                        commit(taken);
                    }
                } finally {
                    commitLock.unlock();
                }
                if (!queueEmpty()) {
                    continue; // queued while we held the lock: its owner may be waiting on us
                }
                if (mine.done.isDone()) {
                    break;
                }
            } else if (mine.done.isDone()) {
                break;
            } else {
                // the lock holder commits our batch, or finds it queued when it lets the lock go
                mine.done.exceptionally(e -> null).join();
            }
        }
        if (mine.done.isCompletedExceptionally()) {
            throw (RuntimeException) mine.done.exceptionNow();
        }
    }

    private boolean queueEmpty() {
        synchronized (queue) {
            return queue.isEmpty();
        }
    }

    private List<Ticket> drain() {
        synchronized (queue) {
            List<Ticket> taken = new ArrayList<>(queue);
            queue.clear();
            return taken;
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
        RuntimeException failure = null;
        try {
            if (!gateways.isEmpty() || !devices.isEmpty() || !channels.isEmpty()) {
                store.saveAll(new MetadataBatch(gateways, devices, channels));
            }
        } catch (RuntimeException e) {
            failure = e;
        } catch (Error e) {
            failure = new StoreException("registrations could not be saved: " + e, e);
        }
        // every ticket is completed, whatever its callbacks do: a callback's failure goes to its own ticket, and
        // nothing is thrown here, so the committer always goes on to what was queued meanwhile
        synchronized (callbackLock) {
            for (Ticket t : tickets) {
                try {
                    (failure == null ? t.onDurable : t.onFailure).run();
                } catch (RuntimeException e) {
                    t.callbackFailure = e;
                } catch (Error e) {
                    t.callbackFailure = new IllegalStateException("a registration callback failed: " + e, e);
                }
            }
        }
        for (Ticket t : tickets) {
            if (failure != null) {
                t.done.completeExceptionally(failure);
            } else if (t.callbackFailure != null) {
                t.done.completeExceptionally(t.callbackFailure);
            } else {
                t.done.complete(null);
            }
        }
    }
}
