package io.meterbase.core.ingest;

/**
 * How fast the writer drains its queue, learned from its recent work (commits and the rollup work between them) as
 * a fixed cost per commit plus a cost per reading: small commits (a few MQTT messages) tell the fixed cost, large
 * ones the cost per reading. The cost per reading is the recent large commits' time over their readings (both
 * decayed at each large commit), so one commit that paid for an unusually long rollup flush moves it by its share of
 * the readings, not by its own ratio. A queue of readings drains in as many commits as it fills, each taking
 * everything queued; so a burst queued at once costs one commit and its readings, not the rate of small commits.
 * Thread-safe.
 */
final class DrainRate {

    /** Commits below this many readings cost mostly their fixed part. */
    private static final int SMALL = 1_000;
    /** Weight of the past at each small commit (there are many). */
    private static final double SMALL_DECAY = 0.97;
    /** Weight of the past large commits' time and readings at each new large one. */
    private static final double LARGE_DECAY = 0.7;
    /** Readings the prior rate counts for until large commits are measured. */
    private static final double PRIOR_READINGS = 1_000;

    private final int maxBatch;
    private volatile double perCommit = 0.002;
    private double largeSeconds;
    private double largeReadings;
    private volatile double perReading;

    /** Starts from {@code priorPerSecond} readings a second until large commits are measured. */
    DrainRate(double priorPerSecond, int maxBatch) {
        this.perReading = 1 / priorPerSecond;
        this.largeReadings = PRIOR_READINGS;
        this.largeSeconds = PRIOR_READINGS / priorPerSecond;
        this.maxBatch = maxBatch;
    }

    /** The writer made {@code count} readings durable in {@code busyNanos} of work. */
    synchronized void record(int count, long busyNanos) {
        double t = busyNanos / 1e9;
        if (count < SMALL) {
            perCommit = perCommit * SMALL_DECAY + (1 - SMALL_DECAY) * t;
        } else {
            largeSeconds = largeSeconds * LARGE_DECAY + Math.max(0, t - perCommit);
            largeReadings = largeReadings * LARGE_DECAY + count;
            perReading = Math.max(1e-9, largeSeconds / largeReadings);
        }
    }

    /** Seconds until {@code queued} readings ahead are taken: the commits they fill and their readings. */
    double secondsFor(long queued) {
        if (queued <= 0) {
            return 0;
        }
        long commits = 1 + (queued - 1) / Math.max(1, maxBatch);
        return commits * perCommit + queued * perReading;
    }

    /** Readings a second at full commits. */
    double perSecond() {
        return maxBatch / (perCommit + maxBatch * perReading);
    }
}
