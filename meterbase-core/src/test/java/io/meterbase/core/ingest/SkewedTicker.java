package io.meterbase.core.ingest;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A monotonic clock for tests that runs with real time and can be moved ahead: a slow store lets its seconds pass
 * by {@link #advance}, without the test waiting for them.
 */
final class SkewedTicker implements LongSupplier {

    private final AtomicLong skew = new AtomicLong();

    @Override
    public long getAsLong() {
        return System.nanoTime() + skew.get();
    }

    void advance(Duration by) {
        skew.addAndGet(by.toNanos());
    }
}
