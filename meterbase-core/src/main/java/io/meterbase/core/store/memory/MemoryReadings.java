package io.meterbase.core.store.memory;

import io.meterbase.core.model.Reading;
import io.meterbase.core.store.Bucket;
import io.meterbase.core.store.CsvExport;
import io.meterbase.core.store.DayKey;
import io.meterbase.core.store.QuarantineEntry;
import io.meterbase.core.store.ReadingKey;
import io.meterbase.core.store.ReadingStore;
import io.meterbase.core.store.Rollup;
import io.meterbase.core.store.StorageStats;
import io.meterbase.core.store.WriteBatch;
import java.io.IOException;
import java.io.Writer;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Readings, rollups and the quarantine in memory: readings per channel by timestamp (a reading sent again replaces
 * itself), rollups per channel by start. An append is all or nothing.
 */
final class MemoryReadings implements ReadingStore {

    /** About what a reading costs on the heap: a tree entry, a boxed timestamp and the reading. */
    private static final long BYTES_PER_READING = 88;

    private static final long BYTES_PER_QUARANTINE_ENTRY = 256;

    private final Map<Integer, TreeMap<Long, Reading>> readings = new HashMap<>();
    private final Map<Integer, TreeMap<Long, Rollup>> hourly = new HashMap<>();
    private final Map<Integer, TreeMap<Long, Rollup>> daily = new HashMap<>();
    private final Set<ReadingKey> stale = new LinkedHashSet<>();
    private final List<QuarantineEntry> quarantine = new ArrayList<>();
    private final TreeSet<YearMonth> months = new TreeSet<>();
    private long count;

    @Override
    public synchronized void append(WriteBatch batch) {
        for (Reading r : batch.readings()) {
            if (readings.computeIfAbsent(r.channelId(), c -> new TreeMap<>()).put(r.timestamp(), r) == null) {
                count++;
            }
            months.add(monthOf(r.timestamp()));
        }
        quarantine.addAll(batch.rejected());
        stale.addAll(batch.staleHours());
    }

    private static YearMonth monthOf(long timestamp) {
        return YearMonth.from(Instant.ofEpochMilli(timestamp).atZone(ZoneOffset.UTC));
    }

    /** The readings of a channel in {@code [from, to]} (both ends included). */
    private NavigableMap<Long, Reading> closedRange(int channel, long from, long to) {
        TreeMap<Long, Reading> all = readings.get(channel);
        return all == null || from > to ? new TreeMap<>() : all.subMap(from, true, to, true);
    }

    /** The readings of a channel in {@code [from, to)}. */
    private NavigableMap<Long, Reading> range(int channel, long from, long to) {
        TreeMap<Long, Reading> all = readings.get(channel);
        return all == null || from >= to ? new TreeMap<>() : all.subMap(from, true, to, false);
    }

    @Override
    public synchronized Set<ReadingKey> existing(Collection<Integer> channels, long from, long to) {
        Set<ReadingKey> out = new HashSet<>();
        for (int channel : channels) {
            for (long ts : closedRange(channel, from, to).keySet()) {
                out.add(new ReadingKey(channel, ts));
            }
        }
        return out;
    }

    @Override
    public synchronized Map<Integer, Long> newestTimestamps() {
        Map<Integer, Long> out = new HashMap<>();
        readings.forEach((channel, byTime) -> {
            if (!byTime.isEmpty()) {
                out.put(channel, byTime.lastKey());
            }
        });
        return out;
    }

    @Override
    public synchronized List<Reading> newestReadings() {
        List<Reading> out = new ArrayList<>();
        readings.values().forEach(byTime -> {
            if (!byTime.isEmpty()) {
                out.add(byTime.lastEntry().getValue());
            }
        });
        return out;
    }

    @Override
    public synchronized List<Reading> readings(int channelId, long from, long to, int limit) {
        return range(channelId, from, to).values().stream().limit(limit).toList();
    }

    @Override
    public synchronized Optional<Reading> readingBefore(int channelId, long timestamp) {
        TreeMap<Long, Reading> all = readings.get(channelId);
        return Optional.ofNullable(all == null ? null : all.lowerEntry(timestamp))
                .map(Map.Entry::getValue);
    }

    @Override
    public synchronized Optional<Reading> readingAfter(int channelId, long timestamp) {
        TreeMap<Long, Reading> all = readings.get(channelId);
        return Optional.ofNullable(all == null ? null : all.higherEntry(timestamp))
                .map(Map.Entry::getValue);
    }

    @Override
    public synchronized void upsertHourly(Collection<Rollup> rollups) {
        for (Rollup r : rollups) {
            hourly.computeIfAbsent(r.channelId(), c -> new TreeMap<>()).put(r.start(), r);
        }
    }

    @Override
    public synchronized long deleteRollupsFrom(long from) {
        long removed = 0;
        for (TreeMap<Long, Rollup> hours : hourly.values()) {
            java.util.SortedMap<Long, Rollup> gone = hours.tailMap(from);
            removed += gone.size();
            gone.clear();
        }
        for (TreeMap<Long, Rollup> days : daily.values()) {
            days.tailMap(from).clear();
        }
        hourly.values().removeIf(TreeMap::isEmpty);
        daily.values().removeIf(TreeMap::isEmpty);
        return removed;
    }

    @Override
    public synchronized void rebuildDaily(Collection<DayKey> days) {
        for (DayKey day : days) {
            TreeMap<Long, Rollup> hours = hourly.get(day.channelId());
            if (hours == null) {
                continue;
            }
            Collection<Rollup> in =
                    hours.subMap(day.start(), true, day.end(), false).values();
            if (in.isEmpty()) {
                continue;
            }
            long n = 0;
            double sum = 0;
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            double energy = Double.NaN;
            double energyOut = Double.NaN;
            double estimated = 0;
            long gap = 0;
            for (Rollup h : in) {
                n += h.count();
                sum += h.sum();
                if (h.count() > 0) {
                    min = Math.min(min, h.min());
                    max = Math.max(max, h.max());
                }
                if (h.hasEnergy()) {
                    energy = Double.isNaN(energy) ? h.energy() : energy + h.energy();
                    energyOut = Double.isNaN(energyOut) ? h.energyOut() : energyOut + h.energyOut();
                }
                estimated += h.estimated();
                gap += h.gapMillis();
            }
            if (n == 0) {
                min = Double.NaN;
                max = Double.NaN;
            }
            daily.computeIfAbsent(day.channelId(), c -> new TreeMap<>())
                    .put(
                            day.start(),
                            new Rollup(
                                    day.channelId(), day.start(), n, sum, min, max, energy, estimated, gap, energyOut));
        }
    }

    @Override
    public synchronized List<Rollup> hourly(Collection<Integer> channels, long from, long to) {
        return rollups(hourly, channels, from, to);
    }

    @Override
    public synchronized List<Rollup> daily(Collection<Integer> channels, long from, long to) {
        return rollups(daily, channels, from, to);
    }

    /** Rollups of the channels with start in {@code [from, to)}, by start then channel. */
    private static List<Rollup> rollups(
            Map<Integer, TreeMap<Long, Rollup>> table, Collection<Integer> channels, long from, long to) {
        List<Rollup> out = new ArrayList<>();
        if (from >= to) {
            return out;
        }
        for (int channel : new TreeSet<>(channels)) {
            TreeMap<Long, Rollup> byStart = table.get(channel);
            if (byStart != null) {
                out.addAll(byStart.subMap(from, true, to, false).values());
            }
        }
        out.sort(Comparator.comparingLong(Rollup::start).thenComparingInt(Rollup::channelId));
        return out;
    }

    @Override
    public synchronized Map<Integer, Long> newestHourly() {
        Map<Integer, Long> out = new HashMap<>();
        hourly.forEach((channel, byStart) -> {
            if (!byStart.isEmpty()) {
                out.put(channel, byStart.lastKey());
            }
        });
        return out;
    }

    @Override
    public synchronized List<ReadingKey> staleHours() {
        List<ReadingKey> out = new ArrayList<>(stale);
        out.sort(Comparator.comparingLong(ReadingKey::timestamp).thenComparingInt(ReadingKey::channelId));
        return out;
    }

    @Override
    public synchronized void clearStaleHours(Collection<ReadingKey> hours) {
        hours.forEach(stale::remove);
    }

    @Override
    public synchronized List<Bucket> bucketsFromReadings(int channelId, long from, long to, long width) {
        TreeMap<Long, Acc> buckets = new TreeMap<>();
        for (Reading r : range(channelId, from, to).values()) {
            buckets.computeIfAbsent(Math.floorDiv(r.timestamp(), width) * width, b -> new Acc())
                    .add(1, r.value(), r.value(), r.value());
        }
        return toBuckets(buckets);
    }

    @Override
    public synchronized List<Bucket> bucketsFromHourly(int channelId, long from, long to, long width) {
        return bucketsFromRollups(hourly, channelId, from, to, width);
    }

    @Override
    public synchronized List<Bucket> bucketsFromDaily(int channelId, long from, long to, long width) {
        return bucketsFromRollups(daily, channelId, from, to, width);
    }

    /** Buckets of rollups: averages weighted by the rollups' counts. */
    private static List<Bucket> bucketsFromRollups(
            Map<Integer, TreeMap<Long, Rollup>> table, int channelId, long from, long to, long width) {
        TreeMap<Long, Acc> buckets = new TreeMap<>();
        TreeMap<Long, Rollup> byStart = table.get(channelId);
        if (byStart != null && from < to) {
            for (Rollup r : byStart.subMap(from, true, to, false).values()) {
                if (r.count() == 0) {
                    continue; // an hour with only a share of consumption has no values
                }
                buckets.computeIfAbsent(Math.floorDiv(r.start(), width) * width, b -> new Acc())
                        .add(r.count(), r.sum(), r.min(), r.max());
            }
        }
        return toBuckets(buckets);
    }

    private static List<Bucket> toBuckets(TreeMap<Long, Acc> buckets) {
        List<Bucket> out = new ArrayList<>(buckets.size());
        buckets.forEach((start, a) -> out.add(new Bucket(start, a.sum / a.count, a.min, a.max, a.count)));
        return out;
    }

    /** Aggregates of one bucket. */
    private static final class Acc {
        long count;
        double sum;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;

        void add(long n, double s, double lo, double hi) {
            count += n;
            sum += s;
            min = Math.min(min, lo);
            max = Math.max(max, hi);
        }
    }

    @Override
    public synchronized void ensureMonth(YearMonth month) {
        months.add(month);
    }

    @Override
    public synchronized List<YearMonth> months() {
        return new ArrayList<>(months);
    }

    @Override
    public synchronized void dropMonth(YearMonth month) {
        long from = month.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli();
        long to = month.plusMonths(1)
                .atDay(1)
                .atStartOfDay()
                .toInstant(ZoneOffset.UTC)
                .toEpochMilli();
        for (TreeMap<Long, Reading> byTime : readings.values()) {
            NavigableMap<Long, Reading> in = byTime.subMap(from, true, to, false);
            count -= in.size();
            in.clear();
        }
        months.remove(month);
    }

    @Override
    public long exportCsv(Collection<Integer> channels, long from, long to, Writer out) throws IOException {
        List<Reading> rows = new ArrayList<>();
        synchronized (this) {
            for (int channel : new TreeSet<>(channels)) {
                rows.addAll(range(channel, from, to).values());
            }
        }
        rows.sort(Comparator.comparingLong(Reading::timestamp).thenComparingInt(Reading::channelId));
        for (Reading r : rows) {
            out.write(CsvExport.line(r.channelId(), r.timestamp(), r.value(), r.quality()));
        }
        return rows.size();
    }

    @Override
    public synchronized void quarantine(List<QuarantineEntry> entries) {
        quarantine.addAll(entries);
    }

    @Override
    public synchronized long pruneQuarantine(Instant olderThan, long keepAtMost) {
        int before = quarantine.size();
        quarantine.removeIf(e -> e.receivedAt().isBefore(olderThan));
        if (quarantine.size() > keepAtMost) {
            List<QuarantineEntry> newest = newestFirst(null, (int) keepAtMost);
            quarantine.retainAll(newest);
        }
        return before - quarantine.size();
    }

    @Override
    public synchronized long quarantineSize() {
        return quarantine.size();
    }

    @Override
    public synchronized List<QuarantineEntry> quarantined(@Nullable String reason, int limit) {
        return newestFirst(reason, limit);
    }

    private List<QuarantineEntry> newestFirst(@Nullable String reason, int limit) {
        return quarantine.stream()
                .filter(e -> reason == null || reason.equals(e.reason()))
                .sorted(Comparator.comparing(QuarantineEntry::receivedAt).reversed())
                .limit(limit)
                .toList();
    }

    /** Readings kept, and about how many bytes of heap they and the quarantine take. */
    @Override
    public synchronized StorageStats stats() {
        return new StorageStats(count, count * BYTES_PER_READING + quarantine.size() * BYTES_PER_QUARANTINE_ENTRY);
    }
}
