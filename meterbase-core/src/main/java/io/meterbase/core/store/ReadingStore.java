package io.meterbase.core.store;

import io.meterbase.core.model.Reading;
import java.io.IOException;
import java.io.Writer;
import java.time.YearMonth;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Stores readings by month, their hourly and daily rollups, and the quarantine of rejected inputs.
 *
 * <p>Threading: {@link #append} is called by one writer thread only; every other method may be called from any
 * thread at the same time. All methods block. Failures are {@link StoreException}s. A failed {@link #append} keeps
 * nothing of a batch with rejected inputs or stale-hour marks; of a batch of new readings only it may have kept a
 * part (a store may write those in pieces) — which is why nothing of a failed batch is acknowledged and the writer
 * reads the store's state again before its next commit.
 */
public interface ReadingStore {

    /**
     * Makes the batch durable; returns only once all of it would survive a crash. Rejected inputs and stale-hour
     * marks are kept in the same transaction as the readings.
     */
    void append(WriteBatch batch);

    /**
     * Makes the batch durable like {@link #append}, and returns the keys of the readings it did not store because
     * the store held them already: stored by another node that writes to the same store. A store that only one
     * node writes to stores them all (the writer has filtered its own re-sent readings out).
     */
    default Set<ReadingKey> appendNew(WriteBatch batch) {
        append(batch);
        return Set.of();
    }

    /** The keys among {@code channels} x {@code [from, to]} that are stored already. */
    Set<ReadingKey> existing(Collection<Integer> channels, long from, long to);

    /** The newest timestamp stored per channel. */
    Map<Integer, Long> newestTimestamps();

    /** The newest reading of each channel. */
    List<Reading> newestReadings();

    /**
     * The newest reading of each channel among those stamped at or after {@code from}: what nodes sharing a store
     * read every few seconds to show each other's live values.
     */
    default List<Reading> newestReadingsSince(long from) {
        return newestReadings().stream().filter(r -> r.timestamp() >= from).toList();
    }

    /** Readings of one channel in {@code [from, to)}, oldest first, at most {@code limit}. */
    List<Reading> readings(int channelId, long from, long to, int limit);

    /** The newest reading of the channel strictly before {@code timestamp}. */
    Optional<Reading> readingBefore(int channelId, long timestamp);

    /** The oldest reading of the channel strictly after {@code timestamp}. */
    Optional<Reading> readingAfter(int channelId, long timestamp);

    /** Replaces the hourly rollups with the same channel and start. */
    void upsertHourly(Collection<Rollup> rollups);

    /**
     * Writes hourly rollups that a node computed from its running totals, identified as {@code writer}: an hour
     * is written if the store has no rollup of it or the rollup there was written by the same writer; returns the
     * hours left alone because another writer (another node, or a recompute) holds them: their readings came
     * through several nodes, and they must be recomputed from the stored readings. A store that only one node
     * writes to writes them all.
     */
    default Set<ReadingKey> upsertHourlyOf(long writer, Collection<Rollup> rollups) {
        upsertHourly(rollups);
        return Set.of();
    }

    /**
     * The versions of the hourly rollups of a channel in {@code [from, to)} by start: read before the readings
     * that a rollup is recomputed from, and checked by {@link #replaceHourly}. A store that only one node writes
     * to keeps no versions (empty).
     */
    default Map<Long, Long> hourlyVersions(int channelId, long from, long to) {
        return Map.of();
    }

    /**
     * Writes hourly rollups recomputed from the stored readings, as {@code writer}: each is written only if its
     * hour's version is still the one read before the readings ({@code seen}; absent: there was no rollup);
     * returns the hours that changed meanwhile (another node wrote them while the readings were read): they must
     * be recomputed again.
     */
    default Set<ReadingKey> replaceHourly(long writer, Collection<Rollup> rollups, Map<ReadingKey, Long> seen) {
        upsertHourly(rollups);
        return Set.of();
    }

    /** Recomputes the daily rollups of these local days from the hourly rollups. */
    void rebuildDaily(Collection<DayKey> days);

    /** Hourly rollups of the channels with start in {@code [from, to)}. */
    List<Rollup> hourly(Collection<Integer> channels, long from, long to);

    /** Daily rollups of the channels with start in {@code [from, to)}. */
    List<Rollup> daily(Collection<Integer> channels, long from, long to);

    /** The newest hourly rollup start per channel. */
    Map<Integer, Long> newestHourly();

    /**
     * Removes the hourly and daily rollups that start at or after {@code from} (they are recomputed from the
     * readings by {@link io.meterbase.core.energy.RollupTracker#recover}, which also rebuilds the day holding
     * {@code from} from its hours); returns how many hourly rollups were removed. For {@code meterbase
     * rebuild-rollups}, with no server running.
     */
    long deleteRollupsFrom(long from);

    /** Hours marked stale by late readings, as (channel, hour start) keys. */
    List<ReadingKey> staleHours();

    /** Forgets these stale marks once their rollups are rebuilt. */
    void clearStaleHours(Collection<ReadingKey> hours);

    /** Raw readings of one channel in {@code [from, to)} aggregated into buckets of {@code width} ms. */
    List<Bucket> bucketsFromReadings(int channelId, long from, long to, long width);

    /** Hourly rollups of one channel in {@code [from, to)} aggregated into buckets of {@code width} ms. */
    List<Bucket> bucketsFromHourly(int channelId, long from, long to, long width);

    /** Daily rollups of one channel in {@code [from, to)} aggregated into buckets of {@code width} ms. */
    List<Bucket> bucketsFromDaily(int channelId, long from, long to, long width);

    /** Creates the storage of a month (UTC) ahead of need; does nothing if it exists. */
    void ensureMonth(YearMonth month);

    /** The months that have storage for readings, oldest first. */
    List<YearMonth> months();

    /** Removes every reading of a month (UTC) at once. */
    void dropMonth(YearMonth month);

    /** Writes readings of the channels in {@code [from, to)} as CSV lines {@code channel_id,ts,value,quality}. */
    long exportCsv(Collection<Integer> channels, long from, long to, Writer out) throws IOException;

    /** Appends rejected inputs outside of a reading batch (for example a payload refused before decoding). */
    void quarantine(List<QuarantineEntry> entries);

    /**
     * Removes rejected inputs received before {@code olderThan}, and the oldest beyond the newest
     * {@code keepAtMost}; returns how many were removed.
     */
    long pruneQuarantine(java.time.Instant olderThan, long keepAtMost);

    /** How many rejected inputs are kept. */
    long quarantineSize();

    /** The newest rejected inputs, newest first; {@code reason} null for all reasons. */
    List<QuarantineEntry> quarantined(@Nullable String reason, int limit);

    /** How many readings are stored, and how many bytes the store's files take. */
    StorageStats stats();
}
