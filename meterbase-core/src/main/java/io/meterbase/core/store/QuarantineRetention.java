package io.meterbase.core.store;

import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the quarantine within its retention and size cap: removes refused inputs older than the retention and the
 * oldest beyond the cap, and remembers how many are kept (for the metrics). Safe to run at any time, from any
 * thread.
 */
public final class QuarantineRetention implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(QuarantineRetention.class);

    private final ReadingStore store;
    private final Clock clock;
    private final Duration retention;
    private final long maxEntries;
    private volatile long entries = -1;

    public QuarantineRetention(ReadingStore store, Clock clock, Duration retention, long maxEntries) {
        this.store = store;
        this.clock = clock;
        this.retention = retention;
        this.maxEntries = maxEntries;
    }

    /** Removes what is past the retention or the cap; returns how many entries were removed. */
    public long prune() {
        long removed = store.pruneQuarantine(clock.instant().minus(retention), maxEntries);
        entries = store.quarantineSize();
        if (removed > 0) {
            LOG.info(
                    "Quarantine: removed {} refused inputs past {} days or {} entries",
                    removed,
                    retention.toDays(),
                    maxEntries);
        }
        return removed;
    }

    /** Entries kept at the last run, or -1 before the first. */
    public long entries() {
        return entries;
    }

    @Override
    public void run() {
        try {
            prune();
        } catch (RuntimeException e) {
            LOG.warn("Quarantine retention failed; it runs again later: {}", e.toString());
        }
    }
}
