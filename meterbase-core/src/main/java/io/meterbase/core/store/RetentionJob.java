package io.meterbase.core.store;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drops whole months of readings that lie entirely before the retention window. Rollups are kept, so long-range
 * charts and bills still work after the raw readings are gone. Safe to run at any time, from any thread.
 */
public final class RetentionJob implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(RetentionJob.class);

    private final ReadingStore store;
    private final Clock clock;
    private final Duration retention;

    public RetentionJob(ReadingStore store, Clock clock, Duration retention) {
        this.store = store;
        this.clock = clock;
        this.retention = retention;
    }

    /** Drops the expired months and returns them. */
    public List<YearMonth> dropExpired() {
        Instant cutoff = clock.instant().minus(retention);
        List<YearMonth> dropped = new ArrayList<>();
        for (YearMonth m : store.months()) {
            Instant end = m.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
            if (!end.isAfter(cutoff)) {
                store.dropMonth(m);
                dropped.add(m);
            }
        }
        if (!dropped.isEmpty()) {
            LOG.info("Retention of {} days: dropped the readings of {}", retention.toDays(), dropped);
        }
        return dropped;
    }

    @Override
    public void run() {
        try {
            dropExpired();
        } catch (RuntimeException e) {
            LOG.warn("Retention run failed; it runs again later: {}", e.toString());
        }
    }
}
