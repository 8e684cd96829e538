package io.meterbase.core.ingest;

import io.meterbase.core.energy.RollupTracker;
import io.meterbase.core.model.Reading;
import io.meterbase.core.store.QuarantineEntry;
import io.meterbase.core.store.ReadingKey;
import io.meterbase.core.store.ReadingStore;
import io.meterbase.core.store.WriteBatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single writer of readings: takes submissions from any thread, groups whatever is queued into one store
 * transaction (group commit), and completes each submission's future only once that transaction is durable.
 *
 * <p>Re-sent readings (same channel and timestamp) are stored once: a reading newer than everything stored of its
 * channel is new by construction; an older one is checked against the store and the batch. Late readings mark
 * their hours stale for the rollups. The queue is bounded in readings; a submission that does not fit is refused
 * at once with {@link OverloadedException}, so senders are told to retry instead of being acknowledged for
 * something that is not yet safe.
 */
public final class DurableWriter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DurableWriter.class);

    private final ReadingStore store;
    private final RollupTracker rollups;
    private final Consumer<List<Reading>> onDurable;
    private final IngestMetrics metrics;
    private final long capacity;
    private final int maxBatch;
    private final long rollupIntervalNanos;
    private final BlockingQueue<Submission> queue = new LinkedBlockingQueue<>();
    private final AtomicLong pending = new AtomicLong();
    private final Map<Integer, Long> newest = new HashMap<>();
    private final Thread thread;
    private volatile boolean running = true;
    private boolean uncertain;

    public DurableWriter(
            ReadingStore store,
            RollupTracker rollups,
            Consumer<List<Reading>> onDurable,
            IngestMetrics metrics,
            long capacity,
            int maxBatch,
            Duration rollupInterval) {
        this.store = store;
        this.rollups = rollups;
        this.onDurable = onDurable;
        this.metrics = metrics;
        this.capacity = capacity;
        this.maxBatch = maxBatch;
        this.rollupIntervalNanos = rollupInterval.toNanos();
        newest.putAll(store.newestTimestamps());
        rollups.recover();
        metrics.queueDepth(pending::get);
        this.thread = Thread.ofPlatform().name("meterbase-writer").daemon(false).unstarted(this::run);
        thread.start();
    }

    /**
     * Queues readings and rejected inputs for the next group commit. The future completes when they are durable,
     * or fails with the store's error.
     *
     * @throws OverloadedException when the queue is full or the writer is closing
     */
    public CompletableFuture<WriteOutcome> submit(List<Reading> readings, List<QuarantineEntry> rejected) {
        int n = readings.size();
        if (!running) {
            throw new OverloadedException("the server is shutting down");
        }
        long after = pending.addAndGet(n);
        if (after > capacity && after != n) {
            pending.addAndGet(-n);
            throw new OverloadedException("ingest queue full (" + capacity + " readings); retry later");
        }
        Submission submission = new Submission(readings, rejected, new CompletableFuture<>());
        queue.add(submission);
        return submission.future;
    }

    /** Readings waiting for their group commit. */
    public long pending() {
        return pending.get();
    }

    private void run() {
        long lastFlush = System.nanoTime();
        List<Submission> batch = new ArrayList<>();
        while (running || !queue.isEmpty()) {
            try {
                Submission first = queue.poll(Math.max(1, rollupIntervalNanos / 2), TimeUnit.NANOSECONDS);
                if (first != null) {
                    batch.add(first);
                    int count = first.readings.size();
                    Submission next;
                    while (count < maxBatch && (next = queue.poll()) != null) {
                        batch.add(next);
                        count += next.readings.size();
                    }
                    write(batch, count);
                    batch.clear();
                }
                if (System.nanoTime() - lastFlush >= rollupIntervalNanos) {
                    flushRollups();
                    lastFlush = System.nanoTime();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException e) {
                LOG.error("Writer loop failed; continuing", e);
            }
        }
        flushRollups();
    }

    private void flushRollups() {
        try {
            rollups.flush();
        } catch (RuntimeException e) {
            LOG.warn("Rollup update failed; it is retried at the next flush: {}", e.toString());
        }
    }

    private void write(List<Submission> batch, int count) {
        long started = System.nanoTime();
        if (uncertain && !reloadNewest(batch, count)) {
            return;
        }
        Map<Integer, Long> advanced = new HashMap<>();
        List<Reading> fresh = new ArrayList<>(count);
        List<Reading> lateCandidates = new ArrayList<>();
        List<Integer> lateOwner = new ArrayList<>();
        List<QuarantineEntry> rejected = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            Submission s = batch.get(i);
            rejected.addAll(s.rejected);
            for (Reading r : s.readings) {
                Long known = advanced.get(r.channelId());
                if (known == null) {
                    known = newest.get(r.channelId());
                }
                if (known == null || r.timestamp() > known) {
                    fresh.add(r);
                    advanced.put(r.channelId(), r.timestamp());
                } else {
                    lateCandidates.add(r);
                    lateOwner.add(i);
                }
            }
        }
        int[] duplicates = new int[batch.size()];
        List<Reading> late =
                lateCandidates.isEmpty() ? List.of() : keepNew(fresh, lateCandidates, lateOwner, duplicates);
        Set<ReadingKey> staleHours = new LinkedHashSet<>();
        for (Reading r : late) {
            staleHours.add(new ReadingKey(r.channelId(), RollupTracker.hourOf(r.timestamp())));
        }
        List<Reading> all = late.isEmpty() ? fresh : concat(fresh, late);
        try {
            store.append(new WriteBatch(all, rejected, List.copyOf(staleHours)));
        } catch (RuntimeException e) {
            pending.addAndGet(-count);
            metrics.writeFailed();
            LOG.warn("Group commit of {} readings failed: {}", all.size(), e.toString());
            fail(batch, e);
            uncertain = true;
            return;
        }
        newest.putAll(advanced);
        pending.addAndGet(-count);
        metrics.written(all.size(), System.nanoTime() - started);
        try {
            // live state first, so that an acknowledgement's answer already reflects its own readings
            onDurable.accept(all);
        } catch (RuntimeException e) {
            LOG.warn("Live state update failed after a durable write: {}", e.toString());
        }
        for (int i = 0; i < batch.size(); i++) {
            Submission s = batch.get(i);
            s.future.complete(new WriteOutcome(s.readings.size() - duplicates[i], duplicates[i]));
        }
        try {
            rollups.addFresh(fresh);
            rollups.markStale(staleHours);
        } catch (RuntimeException e) {
            LOG.warn("Rollup tracking failed after a durable write: {}", e.toString());
        }
    }

    /**
     * After a failed commit the store may hold more than the writer believes (an error can come after the data
     * landed): the newest timestamps are read again so that a resend cannot be stored twice.
     */
    private boolean reloadNewest(List<Submission> batch, int count) {
        try {
            newest.clear();
            newest.putAll(store.newestTimestamps());
            uncertain = false;
            return true;
        } catch (RuntimeException e) {
            pending.addAndGet(-count);
            fail(batch, e);
            return false;
        }
    }

    private static void fail(List<Submission> batch, RuntimeException e) {
        for (Submission s : batch) {
            s.future.completeExceptionally(e);
        }
    }

    /** The late candidates that are neither stored already nor elsewhere in this batch; counts the others. */
    private List<Reading> keepNew(
            List<Reading> fresh, List<Reading> candidates, List<Integer> owners, int[] duplicates) {
        Set<Integer> channels = new HashSet<>();
        long from = Long.MAX_VALUE;
        long to = Long.MIN_VALUE;
        for (Reading r : candidates) {
            channels.add(r.channelId());
            from = Math.min(from, r.timestamp());
            to = Math.max(to, r.timestamp());
        }
        Set<ReadingKey> seen = new HashSet<>(store.existing(channels, from, to));
        for (Reading r : fresh) {
            if (channels.contains(r.channelId())) {
                seen.add(new ReadingKey(r.channelId(), r.timestamp()));
            }
        }
        List<Reading> kept = new ArrayList<>();
        for (int i = 0; i < candidates.size(); i++) {
            Reading r = candidates.get(i);
            if (seen.add(new ReadingKey(r.channelId(), r.timestamp()))) {
                kept.add(r);
            } else {
                duplicates[owners.get(i)]++;
            }
        }
        return kept;
    }

    private static List<Reading> concat(List<Reading> a, List<Reading> b) {
        List<Reading> all = new ArrayList<>(a.size() + b.size());
        all.addAll(a);
        all.addAll(b);
        return all;
    }

    /** Stops taking submissions, writes everything queued, flushes rollups and waits for the thread. */
    @Override
    public void close() {
        running = false;
        try {
            thread.join(Duration.ofSeconds(60));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private record Submission(
            List<Reading> readings, List<QuarantineEntry> rejected, CompletableFuture<WriteOutcome> future) {}
}
