package io.meterbase.core.registry;

import io.meterbase.core.model.Channel;
import io.meterbase.core.model.Device;
import io.meterbase.core.model.Gateway;
import io.meterbase.core.store.MetadataBatch;
import io.meterbase.core.store.MetadataStore;
import io.meterbase.core.store.RegistrationConflictException;
import io.meterbase.core.store.SaveConflicts;
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

    /** Takes in rows another node registered first (under the callback lock). */
    interface Adopter {
        void adopt(MetadataBatch stored);
    }

    private final MetadataStore store;
    private final Object callbackLock;
    private final Adopter adopter;
    private final ReentrantLock commitLock = new ReentrantLock();
    private final List<Ticket> queue = new ArrayList<>();

    /**
     * @param callbackLock held while the batches' callbacks run, once for the whole commit: the callbacks take it
     *     too (the registry's monitor), and taking it once instead of once per batch keeps a commit of thousands of
     *     batches from queueing thousands of times behind the threads that register
     */
    RegistrationCommit(MetadataStore store, Object callbackLock, Adopter adopter) {
        this.store = store;
        this.callbackLock = callbackLock;
        this.adopter = adopter;
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
        SaveConflicts conflicts = SaveConflicts.NONE;
        try {
            if (!gateways.isEmpty() || !devices.isEmpty() || !channels.isEmpty()) {
                conflicts = store.saveAll(new MetadataBatch(gateways, devices, channels));
            }
        } catch (RuntimeException e) {
            failure = e;
        } catch (Error e) {
            failure = new StoreException("registrations could not be saved: " + e, e);
        }
        // every ticket is completed, whatever its callbacks do: a callback's failure goes to its own ticket, and
        // nothing is thrown here, so the committer always goes on to what was queued meanwhile
        // a batch with a row another node registered first fails (its sender is answered "try again"), and the
        // registry takes in that node's rows and this batch's saved ones, so that the same registration asked again
        // finds them
        List<Ticket> lost = new ArrayList<>();
        if (failure == null && !conflicts.isEmpty()) {
            for (Ticket t : tickets) {
                if (conflicts.hits(t.batch)) {
                    lost.add(t);
                }
            }
        }
        synchronized (callbackLock) {
            if (!lost.isEmpty()) {
                try {
                    adopter.adopt(adoptable(conflicts, lost));
                } catch (RuntimeException e) {
                    failure = e;
                }
            }
            for (Ticket t : tickets) {
                try {
                    (failure == null && !lost.contains(t) ? t.onDurable : t.onFailure).run();
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
            } else if (lost.contains(t)) {
                t.done.completeExceptionally(
                        new RegistrationConflictException("registered at the same moment by another node; ask again"));
            } else if (t.callbackFailure != null) {
                t.done.completeExceptionally(t.callbackFailure);
            } else {
                t.done.complete(null);
            }
        }
    }

    /** The rows stored first by another node, and the rows of the lost batches that were saved. */
    private static MetadataBatch adoptable(SaveConflicts conflicts, List<Ticket> lost) {
        List<Gateway> gateways = new ArrayList<>(conflicts.stored().gateways());
        List<Device> devices = new ArrayList<>(conflicts.stored().devices());
        List<Channel> channels = new ArrayList<>(conflicts.stored().channels());
        for (Ticket t : lost) {
            t.batch.gateways().stream()
                    .filter(g -> !conflicts.skipped().contains(g.id()))
                    .forEach(gateways::add);
            t.batch.devices().stream()
                    .filter(d -> !conflicts.skipped().contains(d.id()))
                    .forEach(devices::add);
            t.batch.channels().stream()
                    .filter(c -> !conflicts.skippedChannels().contains(c.id()))
                    .forEach(channels::add);
        }
        return new MetadataBatch(gateways, devices, channels);
    }
}
