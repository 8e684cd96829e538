package io.meterbase.core.store;

import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * Rewrites closed periods of raw readings compactly (a store that keeps readings one row each, like PostgreSQL's).
 * Every read sees the same history before, during and after; a compaction that dies midway loses and doubles
 * nothing; one runs at a time among the nodes that share the store.
 */
public interface Compaction {

    /** What one run did. {@code rawBytes}: what the readings it packed took as raw rows (with their index). */
    record Report(int days, long channelDays, long readings, long packedBytes, long rawBytes, long millis) {

        public static final Report NOTHING = new Report(0, 0, 0, 0, 0, 0);

        public long bytesSaved() {
            return Math.max(0, rawBytes - packedBytes);
        }

        public double readingsPerSecond() {
            return millis == 0 ? 0 : readings * 1000.0 / millis;
        }
    }

    /**
     * Packs every UTC day that ended at least {@code after} before {@code now} and still has raw readings (also
     * days that got late readings since they were packed); tells {@code progress} what it did, a line per day.
     * Returns {@link Report#NOTHING} at once when another compaction is running.
     */
    Report compact(Instant now, Duration after, Consumer<String> progress);
}
