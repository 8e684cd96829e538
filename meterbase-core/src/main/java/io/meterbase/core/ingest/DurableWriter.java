package io.meterbase.core.ingest;

import io.meterbase.core.energy.RollupTracker;
import io.meterbase.core.model.Reading;
import io.meterbase.core.store.QuarantineEntry;
import io.meterbase.core.store.ReadingKey;
import io.meterbase.core.store.ReadingStore;
import io.meterbase.core.store.WriteBatch;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single writer of readings: takes submissions from any thread, groups whatever is queued into one store
 * transaction (group commit), and completes each submission's future only once that transaction is durable.
 *
 * <p>Every submission's future completes, whatever happens: with its outcome once durable; with the store's error
 * when the commit failed (nothing of it may be acknowledged); with {@link OverloadedException} when it could not be
 * taken into a commit before {@link Settings#answerWithin()} is up or the writer stopped first. A commit takes a
 * submission only if it is expected (at the measured rate) to end before the deadline of every submission already in
 * it; one that would make it late for the others waits for the next commit. A submission is admitted only if
 * the queue ahead of it is expected to drain in three tenths of that time, at the rate measured over recent commits
 * (the rest is for its own commit and for misjudgement); otherwise
 * {@link #submit} refuses it at once, so senders are told to retry instead of waiting for an answer that comes late.
 *
 * <p>Re-sent readings (same channel and timestamp) are stored once: a reading newer than everything stored of its
 * channel is new by construction; an older one is checked against the store and the batch. Late readings mark their
 * hours stale for the rollups. After a failed commit the store may hold more than the writer believes (an error can
 * come after the data landed): the newest timestamps are read again and the rollups recomputed before the next
 * commit.
 *
 * <p>Lifecycle: {@link #start()} reads the store and starts the writer thread; {@link #close()} stops taking
 * submissions, writes what is queued within {@link Settings#drainOnClose()}, refuses the rest and returns.
 */
public final class DurableWriter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DurableWriter.class);

    /**
     * The share of the answer time the queue ahead of a submission may take (expected) for it to be admitted; the
     * rest is for its own commit and for misjudging the rate under load.
     */
    private static final double ADMIT_SHARE = 0.3;

    /**
     * Sizes and times of the writer.
     *
     * @param capacity readings queued at most
     * @param maxBatch readings in one commit at most
     * @param rollupInterval how often rollups are brought up to date
     * @param answerWithin a submission not taken into a commit within this time is refused (and admission keeps the
     *     expected wait below three tenths of it, and a commit takes no more than it can store before the earliest
     *     deadline in it)
     * @param drainOnClose how long {@link #close()} keeps writing what is queued
     */
    public record Settings(
            long capacity, int maxBatch, Duration rollupInterval, Duration answerWithin, Duration drainOnClose) {

        public Settings {
            if (capacity < 1 || maxBatch < 1) {
                throw new IllegalArgumentException("capacity, maxBatch: must be positive");
            }
            if (answerWithin.isNegative() || answerWithin.isZero()) {
                throw new IllegalArgumentException("answerWithin: must be positive, was " + answerWithin);
            }
        }

        /** The writer's settings from the ingest settings. */
        public static Settings of(IngestSettings s) {
            return new Settings(
                    s.queueCapacity(), s.maxBatch(), s.rollupInterval(), s.answerWithin(), s.drainOnClose());
        }
    }

    private enum State {
        NEW,
        RUNNING,
        CLOSING,
        CLOSED
    }

    private final ReadingStore store;
    private final RollupTracker rollups;
    private final Consumer<List<Reading>> onDurable;
    private final IngestMetrics metrics;
    private final Settings settings;
    private final Clock clock;
    /** Nanoseconds of a monotonic clock: deadlines, commit times and the drain rate are measured with it. */
    private final LongSupplier ticker;

    private final BlockingQueue<Submission> queue = new LinkedBlockingQueue<>();
    /** A submission taken from the queue that waits for the next commit (set by the writer thread only). */
    private final AtomicReference<@Nullable Submission> carried = new AtomicReference<>();
    /** The earliest deadline among the submissions of the batch being gathered (writer thread only). */
    private long batchDeadline;

    private final AtomicLong pending = new AtomicLong();
    private final DrainRate rate;
    private final Map<Integer, Long> newest = new HashMap<>();
    private volatile State state = State.NEW;
    private volatile long drainDeadline;
    private volatile String lastError = "";
    private volatile @Nullable Instant lastFailureAt;
    private volatile boolean commitFailing;
    private volatile boolean rollupFailing;
    private @Nullable Thread thread;
    private boolean uncertain;
    private boolean recoveryPending;
    private long flushNanos;

    public DurableWriter(
            ReadingStore store,
            RollupTracker rollups,
            Consumer<List<Reading>> onDurable,
            IngestMetrics metrics,
            Settings settings,
            Clock clock) {
        this(store, rollups, onDurable, metrics, settings, clock, System::nanoTime);
    }

    /**
     * A writer that measures time with {@code ticker} (nanoseconds, like {@link System#nanoTime()}), so that a test
     * can let seconds of a slow store pass without waiting for them.
     */
    public DurableWriter(
            ReadingStore store,
            RollupTracker rollups,
            Consumer<List<Reading>> onDurable,
            IngestMetrics metrics,
            Settings settings,
            Clock clock,
            LongSupplier ticker) {
        this.store = store;
        this.ticker = ticker;
        this.rollups = rollups;
        this.onDurable = onDurable;
        this.metrics = metrics;
        this.settings = settings;
        this.clock = clock;
        this.rate = new DrainRate(1_000_000, settings.maxBatch());
    }

    /**
     * Reads the newest stored timestamps, recovers the rollups a crash may have left behind (retried later when the
     * store cannot write now) and starts the writer thread.
     *
     * @throws io.meterbase.core.store.StoreException when the store cannot be read
     */
    public synchronized DurableWriter start() {
        if (state != State.NEW) {
            throw new IllegalStateException("the writer was started already");
        }
        newest.putAll(store.newestTimestamps());
        recoveryPending = true;
        recoverRollups();
        metrics.queueDepth(pending::get);
        thread = Thread.ofPlatform().name("meterbase-writer").daemon(true).unstarted(this::run);
        state = State.RUNNING;
        thread.start();
        return this;
    }

    /**
     * Queues readings and rejected inputs for the next group commit. The future completes when they are durable,
     * or fails with the store's error, or with {@link OverloadedException} when they could not be written in time.
     *
     * @throws OverloadedException when the queue cannot take them now (full, or too slow to answer in time) or the
     *     writer is not running; nothing of them was kept
     */
    public CompletableFuture<WriteOutcome> submit(List<Reading> readings, List<QuarantineEntry> rejected) {
        int n = readings.size();
        double wait = admit(n);
        long after = pending.addAndGet(n);
        if (after > settings.capacity() && after != n) {
            pending.addAndGet(-n);
            throw new OverloadedException(
                    "ingest queue full (" + settings.capacity() + " readings); retry later", (long) Math.ceil(wait));
        }
        Submission submission = new Submission(
                readings,
                rejected,
                new CompletableFuture<>(),
                ticker.getAsLong() + settings.answerWithin().toNanos());
        queue.add(submission);
        if (state != State.RUNNING && queue.remove(submission)) {
            pending.addAndGet(-n);
            throw new OverloadedException("the server is shutting down", 5);
        }
        return submission.future;
    }

    /**
     * Checks that {@code readings} more can be taken now: the writer runs and the queue ahead of them is expected to
     * be taken into commits within three tenths of their answer time (at the rate measured over the writer's recent
     * work). Called before the work of preparing them (a transport may call it early); {@link #submit} checks again.
     *
     * @return the expected wait in seconds
     * @throws OverloadedException when they cannot be taken now; nothing of them was kept
     */
    public double admit(int readings) {
        if (state != State.RUNNING) {
            throw new OverloadedException(
                    state == State.NEW ? "the server is starting" : "the server is shutting down", 5);
        }
        long queued = pending.get();
        double wait = rate.secondsFor(queued);
        if (queued > 0 && wait > admitSeconds()) {
            throw new OverloadedException(
                    String.format(
                            "ingest is busy: %,d readings are waiting (about %.1f s at %,.0f readings/s); retry later",
                            queued, wait, rate.perSecond()),
                    (long) Math.ceil(wait));
        }
        return wait;
    }

    /** The expected wait above which a submission is refused: three tenths of the time it has to be answered in. */
    private double admitSeconds() {
        return settings.answerWithin().toNanos() * ADMIT_SHARE / 1e9;
    }

    /** Whether the writer thread has ended (after {@link #close()}; false while a store call still runs). */
    public boolean stopped() {
        return thread == null || !thread.isAlive();
    }

    /** Readings waiting for their group commit. */
    public long pending() {
        return pending.get();
    }

    /** Whether the writer can write, for health checks. */
    public WriterStatus status() {
        return new WriterStatus(
                commitFailing || rollupFailing, lastError, lastFailureAt, pending.get(), rate.perSecond());
    }

    private void run() {
        long lastFlush = ticker.getAsLong();
        long pollNanos = Math.max(1_000_000, settings.rollupInterval().toNanos() / 2);
        List<Submission> batch = new ArrayList<>();
        while (true) {
            if (state != State.RUNNING
                    && ((queue.isEmpty() && carried.get() == null) || ticker.getAsLong() > drainDeadline)) {
                break;
            }
            try {
                Submission first = carried.getAndSet(null);
                if (first == null) {
                    first = queue.poll(pollNanos, TimeUnit.NANOSECONDS);
                }
                if (first != null) {
                    int count = take(first, batch, 0);
                    Submission next;
                    while (count < settings.maxBatch() && carried.get() == null && (next = queue.poll()) != null) {
                        count = take(next, batch, count);
                    }
                    if (!batch.isEmpty()) {
                        write(batch, count);
                    }
                    batch.clear();
                }
                if (ticker.getAsLong() - lastFlush >= settings.rollupInterval().toNanos()) {
                    flushRollups();
                    lastFlush = ticker.getAsLong();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException | Error e) {
                LOG.error("Writer loop failed; continuing", e);
                fail(batch, e instanceof RuntimeException re ? re : new IllegalStateException(e));
                batch.clear();
            }
        }
        int refused = refuseQueued("the server stopped before these readings were stored; send them again");
        if (refused > 0) {
            LOG.warn(
                    "Stopped with {} submissions not written in {}; their senders were told to send again",
                    refused,
                    settings.drainOnClose());
        }
        flushRollups();
        state = State.CLOSED;
    }

    /**
     * Adds a submission to the batch unless that would make the commit end, at the measured rate, after the deadline
     * of a submission already in it: then it is carried to the next commit, where it is first, if it can be stored
     * in time there; otherwise it is refused at once. A submission whose time is up is refused. The first submission
     * of a commit is taken whenever its time is not up, however large, and a {@link #large} one is carried even when
     * it will be late: it may be answered late, never refused for its size.
     * Returns the batch's readings.
     */
    private int take(Submission s, List<Submission> batch, int count) {
        long now = ticker.getAsLong();
        if (now > s.deadline) {
            return late(s, count);
        }
        if (batch.isEmpty()) {
            batchDeadline = s.deadline;
        } else {
            long done = now + nanosFor(count + s.readings.size());
            if (done > batchDeadline) {
                long start = now + nanosFor(count);
                long end = start + nanosFor(s.readings.size());
                if (start > s.deadline || (end > s.deadline && !large(s))) {
                    return late(s, count); // the next commit would start, or end, after its time is up
                }
                carried.set(s);
                return count;
            }
            batchDeadline = Math.min(batchDeadline, s.deadline);
        }
        batch.add(s);
        return count + s.readings.size();
    }

    /**
     * Whether a submission's own commit takes more than the seven tenths of the answer time that admission leaves
     * it: such an upload cannot be in time behind any queue, so it is carried and answered late rather than refused
     * again at every retry.
     */
    private boolean large(Submission s) {
        return rate.secondsFor(s.readings.size()) > settings.answerWithin().toNanos() * (1 - ADMIT_SHARE) / 1e9;
    }

    /** Nanoseconds the writer is expected to take for this many readings, at the measured rate. */
    private long nanosFor(long readings) {
        return (long) (rate.secondsFor(readings) * 1e9);
    }

    private int late(Submission s, int count) {
        pending.addAndGet(-s.readings.size());
        s.future.completeExceptionally(new OverloadedException(
                "not stored within " + settings.answerWithin().toMillis() + " ms (ingest is busy); send again", 1));
        metrics.refused(IngestMetrics.Refusal.LATE);
        return count;
    }

    private int refuseQueued(String why) {
        int n = 0;
        Submission s = carried.getAndSet(null);
        if (s == null) {
            s = queue.poll();
        }
        for (; s != null; s = queue.poll()) {
            pending.addAndGet(-s.readings.size());
            s.future.completeExceptionally(new OverloadedException(why, 5));
            n++;
        }
        return n;
    }

    private void flushRollups() {
        long started = ticker.getAsLong();
        try {
            if (recoveryPending) {
                recoverRollups();
            }
            rollups.flush();
            rollupFailing = recoveryPending;
        } catch (RuntimeException e) {
            rollupFailing = true;
            noteFailure(e);
            LOG.warn("Rollup update failed; it is retried at the next flush: {}", e.toString());
        } finally {
            // the writer's busy time: the next commit's readings are drained at the rate of both
            flushNanos += ticker.getAsLong() - started;
        }
    }

    /** Recomputes the rollups from the store; left pending (and retried at each flush) while the store fails. */
    private void recoverRollups() {
        try {
            rollups.recover();
            recoveryPending = false;
        } catch (RuntimeException e) {
            rollupFailing = true;
            noteFailure(e);
            LOG.warn("Rollup recovery failed; it is retried at the next flush: {}", e.toString());
        }
    }

    private void noteFailure(Throwable e) {
        lastError = String.valueOf(e.getMessage());
        lastFailureAt = clock.instant();
    }

    private void write(List<Submission> batch, int count) {
        long started = ticker.getAsLong();
        List<Reading> all;
        List<Reading> fresh;
        Set<ReadingKey> staleHours;
        Map<Integer, Long> advanced = new HashMap<>();
        int[] duplicates = new int[batch.size()];
        try {
            if (uncertain) {
                reloadNewest();
            }
            fresh = new ArrayList<>(count);
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
            List<Reading> late =
                    lateCandidates.isEmpty() ? List.of() : keepNew(fresh, lateCandidates, lateOwner, duplicates);
            staleHours = new LinkedHashSet<>();
            for (Reading r : late) {
                staleHours.add(new ReadingKey(r.channelId(), RollupTracker.hourOf(r.timestamp())));
            }
            all = late.isEmpty() ? fresh : concat(fresh, late);
            Set<ReadingKey> storedElsewhere = store.appendNew(new WriteBatch(all, rejected, List.copyOf(staleHours)));
            if (!storedElsewhere.isEmpty()) {
                // another node stored these first: they count as re-sent, and its rollups hold them
                countStoredElsewhere(batch, storedElsewhere, duplicates);
                fresh = without(fresh, storedElsewhere);
                all = without(all, storedElsewhere);
            }
        } catch (RuntimeException | Error e) {
            pending.addAndGet(-count);
            uncertain = true;
            commitFailing = true;
            noteFailure(e);
            fail(batch, e instanceof RuntimeException re ? re : new IllegalStateException("the store failed: " + e, e));
            metrics.writeFailed();
            LOG.warn("Group commit of {} readings failed; none of it was acknowledged: {}", count, e.toString());
            return;
        }
        newest.putAll(advanced);
        pending.addAndGet(-count);
        long elapsed = ticker.getAsLong() - started;
        rate.record(count, elapsed + flushNanos);
        flushNanos = 0;
        metrics.written(all.size(), elapsed);
        commitFailing = false;
        try {
            // live state first, so that an acknowledgement's answer already reflects its own readings
            onDurable.accept(all);
        } catch (RuntimeException e) {
            LOG.warn("Live state update failed after a durable write: {}", e.toString());
        }
        boolean newChannels = false;
        try {
            newChannels = rollups.addFresh(fresh);
            rollups.markStale(staleHours);
        } catch (RuntimeException e) {
            LOG.warn("Rollup tracking failed after a durable write: {}", e.toString());
        }
        if (newChannels && !recoveryPending) {
            // a device's first readings: their rollups are written before the answer, which shows its energy
            flushRollups();
        }
        for (int i = 0; i < batch.size(); i++) {
            Submission s = batch.get(i);
            s.future.complete(new WriteOutcome(s.readings.size() - duplicates[i], duplicates[i]));
        }
    }

    /**
     * After a failed commit the store may hold more than the writer believes (an error can come after the data
     * landed): the newest timestamps are read again, so that a resend cannot be stored twice, and the rollups are
     * recomputed from the store, so that readings that landed are counted.
     */
    private void reloadNewest() {
        Map<Integer, Long> stored = store.newestTimestamps();
        newest.clear();
        newest.putAll(stored);
        uncertain = false;
        recoveryPending = true;
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

    /**
     * Counts the readings another node stored first as duplicates of the submissions that sent them: each key once,
     * at its first occurrence (the one that went into the batch; later ones were counted already).
     */
    private static void countStoredElsewhere(List<Submission> batch, Set<ReadingKey> keys, int[] duplicates) {
        Set<ReadingKey> left = new HashSet<>(keys);
        for (int i = 0; i < batch.size() && !left.isEmpty(); i++) {
            for (Reading r : batch.get(i).readings) {
                if (left.remove(new ReadingKey(r.channelId(), r.timestamp()))) {
                    duplicates[i]++;
                }
            }
        }
    }

    private static List<Reading> without(List<Reading> readings, Set<ReadingKey> keys) {
        List<Reading> kept = new ArrayList<>(readings.size());
        for (Reading r : readings) {
            if (!keys.contains(new ReadingKey(r.channelId(), r.timestamp()))) {
                kept.add(r);
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

    /**
     * Stops taking submissions, writes what is queued for at most {@link Settings#drainOnClose()} (refusing the
     * rest, so that their senders send again), flushes the rollups and waits for the thread. Returns after at most
     * the drain time plus the answer time even when the store hangs: the writer thread is a daemon and cannot keep
     * the process alive, and the commit it is stuck in stays unacknowledged.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (state == State.NEW) {
                state = State.CLOSED;
                return;
            }
            if (state != State.RUNNING) {
                return;
            }
            drainDeadline = ticker.getAsLong() + settings.drainOnClose().toNanos();
            state = State.CLOSING;
        }
        Duration bound = settings.drainOnClose().plus(settings.answerWithin());
        Thread running = Objects.requireNonNull(thread, "a started writer has its thread");
        try {
            running.join(bound);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (running.isAlive()) {
            LOG.warn("The store did not finish its last write within {}; stopping without it", bound);
            refuseQueued("the server stopped before these readings were stored; send them again");
        }
    }

    private record Submission(
            List<Reading> readings,
            List<QuarantineEntry> rejected,
            CompletableFuture<WriteOutcome> future,
            long deadline) {}
}
