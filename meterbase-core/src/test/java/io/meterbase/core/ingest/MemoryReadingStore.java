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
import java.io.Writer;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A reading store in memory for tests of the pipeline, with the faults a real one has: a commit that fails, a commit
 * that fails after its data landed, a slow or hanging commit. Readings are kept per channel by timestamp, so a
 * reading stored twice is detected ({@link #doubles()}). Thread-safe.
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

    private final Map<Integer, TreeMap<Long, Reading>> readings = new HashMap<>();
    private final Map<ReadingKey, Rollup> hourly = new HashMap<>();
    private final List<QuarantineEntry> quarantine = new ArrayList<>();
    private final Set<ReadingKey> stale = new HashSet<>();
    private volatile Fault fault = Fault.NONE;
    private volatile long appendDelayMillis;
    private volatile long appendMicrosPerReading;
    private volatile CountDownLatch hold;
    private volatile CountDownLatch held = new CountDownLatch(1);
    private final List<Set<Integer>> appendLog = new ArrayList<>();
    private volatile boolean failExisting;
    private int doubles;
    private int appends;
    private volatile SkewedTicker ticker;

    /** Slow appends move this clock ahead instead of sleeping. */
    void passTimeOn(SkewedTicker t) {
        ticker = t;
    }

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

    /** The channels of each append made since the last call, in order. */
    synchronized List<Set<Integer>> takeAppendLog() {
        List<Set<Integer>> out = List.copyOf(appendLog);
        appendLog.clear();
        return out;
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

    synchronized int doubles() {
        return doubles;
    }

    synchronized int appends() {
        return appends;
    }

    synchronized long count() {
        return readings.values().stream().mapToLong(Map::size).sum();
    }

    synchronized boolean has(int channel, long ts) {
        return readings.getOrDefault(channel, new TreeMap<>()).containsKey(ts);
    }

    synchronized Optional<Rollup> hour(int channel, long start) {
        return Optional.ofNullable(hourly.get(new ReadingKey(channel, start)));
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
            t.advance(java.time.Duration.ofMillis(delay));
        } else if (delay > 0) {
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            appends++;
            Set<Integer> channels = new java.util.TreeSet<>();
            batch.readings().forEach(r -> channels.add(r.channelId()));
            appendLog.add(channels);
            if (fault == Fault.FAIL) {
                throw new StoreException("disk full (test)");
            }
            List<Reading> kept = batch.readings();
            if (fault == Fault.FAIL_AFTER_HALF) {
                kept = kept.stream()
                        .sorted(java.util.Comparator.comparingLong(Reading::timestamp))
                        .limit(kept.size() / 2)
                        .toList();
            }
            for (Reading r : kept) {
                if (readings.computeIfAbsent(r.channelId(), c -> new TreeMap<>())
                                .put(r.timestamp(), r)
                        != null) {
                    doubles++;
                }
            }
            quarantine.addAll(batch.rejected());
            stale.addAll(batch.staleHours());
            if (fault == Fault.FAIL_AFTER_LANDING || fault == Fault.FAIL_AFTER_HALF) {
                throw new StoreException("commit outcome unknown (test)");
            }
        }
    }

    @Override
    public synchronized Set<ReadingKey> existing(Collection<Integer> channels, long from, long to) {
        if (failExisting) {
            throw new StoreException("lookup failed (test)");
        }
        Set<ReadingKey> out = new HashSet<>();
        for (int c : channels) {
            readings.getOrDefault(c, new TreeMap<>())
                    .subMap(from, true, to, true)
                    .keySet()
                    .forEach(ts -> out.add(new ReadingKey(c, ts)));
        }
        return out;
    }

    @Override
    public synchronized Map<Integer, Long> newestTimestamps() {
        Map<Integer, Long> out = new HashMap<>();
        readings.forEach((c, m) -> {
            if (!m.isEmpty()) {
                out.put(c, m.lastKey());
            }
        });
        return out;
    }

    @Override
    public synchronized List<Reading> newestReadings() {
        return readings.values().stream()
                .filter(m -> !m.isEmpty())
                .map(m -> m.lastEntry().getValue())
                .toList();
    }

    @Override
    public synchronized List<Reading> readings(int channelId, long from, long to, int limit) {
        return readings.getOrDefault(channelId, new TreeMap<>()).subMap(from, to).values().stream()
                .limit(limit)
                .toList();
    }

    @Override
    public synchronized Optional<Reading> readingBefore(int channelId, long timestamp) {
        var e = readings.getOrDefault(channelId, new TreeMap<>()).lowerEntry(timestamp);
        return Optional.ofNullable(e == null ? null : e.getValue());
    }

    @Override
    public synchronized Optional<Reading> readingAfter(int channelId, long timestamp) {
        var e = readings.getOrDefault(channelId, new TreeMap<>()).higherEntry(timestamp);
        return Optional.ofNullable(e == null ? null : e.getValue());
    }

    @Override
    public synchronized void upsertHourly(Collection<Rollup> rollups) {
        for (Rollup r : rollups) {
            hourly.put(new ReadingKey(r.channelId(), r.start()), r);
        }
    }

    @Override
    public void rebuildDaily(Collection<DayKey> days) {}

    @Override
    public synchronized List<Rollup> hourly(Collection<Integer> channels, long from, long to) {
        return hourly.values().stream()
                .filter(r -> channels.contains(r.channelId()) && r.start() >= from && r.start() < to)
                .toList();
    }

    @Override
    public List<Rollup> daily(Collection<Integer> channels, long from, long to) {
        return List.of();
    }

    @Override
    public synchronized Map<Integer, Long> newestHourly() {
        Map<Integer, Long> out = new HashMap<>();
        hourly.keySet().forEach(k -> out.merge(k.channelId(), k.timestamp(), Math::max));
        return out;
    }

    @Override
    public synchronized List<ReadingKey> staleHours() {
        return List.copyOf(stale);
    }

    @Override
    public synchronized void clearStaleHours(Collection<ReadingKey> hours) {
        stale.removeAll(hours);
    }

    @Override
    public List<Bucket> bucketsFromReadings(int channelId, long from, long to, long width) {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<Bucket> bucketsFromHourly(int channelId, long from, long to, long width) {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<Bucket> bucketsFromDaily(int channelId, long from, long to, long width) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void ensureMonth(YearMonth month) {}

    @Override
    public List<YearMonth> months() {
        return List.of();
    }

    @Override
    public void dropMonth(YearMonth month) {}

    @Override
    public long exportCsv(Collection<Integer> channels, long from, long to, Writer out) {
        throw new UnsupportedOperationException();
    }

    @Override
    public synchronized void quarantine(List<QuarantineEntry> entries) {
        quarantine.addAll(entries);
    }

    @Override
    public synchronized long pruneQuarantine(Instant olderThan, long keepAtMost) {
        int before = quarantine.size();
        quarantine.removeIf(e -> e.receivedAt().isBefore(olderThan));
        return before - quarantine.size();
    }

    @Override
    public synchronized long quarantineSize() {
        return quarantine.size();
    }

    @Override
    public synchronized List<QuarantineEntry> quarantined(String reason, int limit) {
        return quarantine.stream()
                .filter(e -> reason == null || e.reason().equals(reason))
                .limit(limit)
                .toList();
    }

    @Override
    public synchronized StorageStats stats() {
        return new StorageStats(count(), 0);
    }
}
