package io.meterbase.core.ingest;

import io.meterbase.core.model.Reading;
import io.meterbase.core.store.Bucket;
import io.meterbase.core.store.DayKey;
import io.meterbase.core.store.QuarantineEntry;
import io.meterbase.core.store.ReadingKey;
import io.meterbase.core.store.ReadingStore;
import io.meterbase.core.store.Rollup;
import io.meterbase.core.store.StorageStats;
import io.meterbase.core.store.StoreException;
import io.meterbase.core.store.WriteBatch;
import io.meterbase.core.store.memory.MemoryStore;
import java.io.IOException;
import java.io.Writer;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The store in memory with the faults a real one has, for tests of the pipeline: a commit that fails, a commit that
 * fails after its data landed, a slow or hanging commit, a failing duplicate lookup. It counts readings that would
 * have been stored twice ({@link #doubles()}). Thread-safe.
 */
final class MemoryReadingStore implements ReadingStore {

    /** What the next appends do. */
    enum Fault {
        NONE,
        /** Fails and keeps nothing. */
        FAIL,
        /** Keeps the batch, then fails: the writer cannot know it landed. */
        FAIL_AFTER_LANDING,
        /** Keeps the first half of the batch's readings (in time order), then fails. */
        FAIL_AFTER_HALF
    }

    private final ReadingStore store = MemoryStore.open().readings();
    private volatile Fault fault = Fault.NONE;
    private volatile long appendDelayMillis;
    private volatile long appendMicrosPerReading;
    private volatile CountDownLatch hold;
    private volatile CountDownLatch held = new CountDownLatch(1);
    private final List<Set<Integer>> appendLog = new ArrayList<>();
    private volatile boolean failExisting;
    private volatile SkewedTicker ticker;
    private int doubles;

    void fault(Fault f) {
        fault = f;
    }

    void appendDelay(long millis) {
        appendDelayMillis = millis;
    }

    /** Every append takes this long per reading (after any fixed delay). */
    void appendDelayPerReading(long micros) {
        appendMicrosPerReading = micros;
    }

    /** Slow appends move this clock ahead instead of sleeping. */
    void passTimeOn(SkewedTicker t) {
        ticker = t;
    }

    /** Every append waits until {@link #release()}. */
    void hold() {
        held = new CountDownLatch(1);
        hold = new CountDownLatch(1);
    }

    /** Waits until an append is held by {@link #hold()}. */
    void awaitHeld() throws InterruptedException {
        if (!held.await(10, TimeUnit.SECONDS)) {
            throw new AssertionError("no append reached the store within 10 s");
        }
    }

    void release() {
        CountDownLatch h = hold;
        if (h != null) {
            h.countDown();
        }
    }

    void failExisting(boolean on) {
        failExisting = on;
    }

    /** The channels of each append made since the last call, in order. */
    synchronized List<Set<Integer>> takeAppendLog() {
        List<Set<Integer>> out = List.copyOf(appendLog);
        appendLog.clear();
        return out;
    }

    /** Readings that an append would have stored a second time. */
    synchronized int doubles() {
        return doubles;
    }

    long count() {
        return store.stats().readings();
    }

    boolean has(int channel, long ts) {
        return !store.existing(List.of(channel), ts, ts).isEmpty();
    }

    Optional<Rollup> hour(int channel, long start) {
        return store.hourly(List.of(channel), start, start + 1).stream().findFirst();
    }

    @Override
    public void append(WriteBatch batch) {
        CountDownLatch h = hold;
        if (h != null) {
            held.countDown();
            try {
                h.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        long delay = appendDelayMillis + batch.readings().size() * appendMicrosPerReading / 1000;
        SkewedTicker t = ticker;
        if (delay > 0 && t != null) {
            t.advance(Duration.ofMillis(delay));
        } else if (delay > 0) {
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            Set<Integer> channels = new TreeSet<>();
            batch.readings().forEach(r -> channels.add(r.channelId()));
            appendLog.add(channels);
            if (fault == Fault.FAIL) {
                throw new StoreException("disk full (test)");
            }
            List<Reading> kept = batch.readings();
            if (fault == Fault.FAIL_AFTER_HALF) {
                kept = kept.stream()
                        .sorted(Comparator.comparingLong(Reading::timestamp))
                        .limit(kept.size() / 2)
                        .toList();
            }
            for (Reading r : kept) {
                if (has(r.channelId(), r.timestamp())) {
                    doubles++;
                }
            }
            store.append(new WriteBatch(kept, batch.rejected(), batch.staleHours()));
            if (fault != Fault.NONE) {
                throw new StoreException("commit outcome unknown (test)");
            }
        }
    }

    @Override
    public Set<ReadingKey> existing(Collection<Integer> channels, long from, long to) {
        if (failExisting) {
            throw new StoreException("lookup failed (test)");
        }
        return store.existing(channels, from, to);
    }

    @Override
    public Map<Integer, Long> newestTimestamps() {
        return store.newestTimestamps();
    }

    @Override
    public List<Reading> newestReadings() {
        return store.newestReadings();
    }

    @Override
    public List<Reading> readings(int channelId, long from, long to, int limit) {
        return store.readings(channelId, from, to, limit);
    }

    @Override
    public Optional<Reading> readingBefore(int channelId, long timestamp) {
        return store.readingBefore(channelId, timestamp);
    }

    @Override
    public Optional<Reading> readingAfter(int channelId, long timestamp) {
        return store.readingAfter(channelId, timestamp);
    }

    @Override
    public void upsertHourly(Collection<Rollup> rollups) {
        store.upsertHourly(rollups);
    }

    @Override
    public void rebuildDaily(Collection<DayKey> days) {
        store.rebuildDaily(days);
    }

    @Override
    public List<Rollup> hourly(Collection<Integer> channels, long from, long to) {
        return store.hourly(channels, from, to);
    }

    @Override
    public List<Rollup> daily(Collection<Integer> channels, long from, long to) {
        return store.daily(channels, from, to);
    }

    @Override
    public Map<Integer, Long> newestHourly() {
        return store.newestHourly();
    }

    @Override
    public long deleteRollupsFrom(long from) {
        return store.deleteRollupsFrom(from);
    }

    @Override
    public List<ReadingKey> staleHours() {
        return store.staleHours();
    }

    @Override
    public void clearStaleHours(Collection<ReadingKey> hours) {
        store.clearStaleHours(hours);
    }

    @Override
    public List<Bucket> bucketsFromReadings(int channelId, long from, long to, long width) {
        return store.bucketsFromReadings(channelId, from, to, width);
    }

    @Override
    public List<Bucket> bucketsFromHourly(int channelId, long from, long to, long width) {
        return store.bucketsFromHourly(channelId, from, to, width);
    }

    @Override
    public List<Bucket> bucketsFromDaily(int channelId, long from, long to, long width) {
        return store.bucketsFromDaily(channelId, from, to, width);
    }

    @Override
    public void ensureMonth(YearMonth month) {
        store.ensureMonth(month);
    }

    @Override
    public List<YearMonth> months() {
        return store.months();
    }

    @Override
    public void dropMonth(YearMonth month) {
        store.dropMonth(month);
    }

    @Override
    public long exportCsv(Collection<Integer> channels, long from, long to, Writer out) throws IOException {
        return store.exportCsv(channels, from, to, out);
    }

    @Override
    public void quarantine(List<QuarantineEntry> entries) {
        store.quarantine(entries);
    }

    @Override
    public long pruneQuarantine(Instant olderThan, long keepAtMost) {
        return store.pruneQuarantine(olderThan, keepAtMost);
    }

    @Override
    public long quarantineSize() {
        return store.quarantineSize();
    }

    @Override
    public List<QuarantineEntry> quarantined(String reason, int limit) {
        return store.quarantined(reason, limit);
    }

    @Override
    public StorageStats stats() {
        return store.stats();
    }
}
