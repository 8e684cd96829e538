package io.meterbase.core.ingest;

/**
 * How fast the writer makes readings durable, measured over its recent commits: readings per second of commit time
 * and the time of one commit. From it, how long a queue of readings will take to drain. Thread-safe.
 */
final class DrainRate {

    /** Weight of the past at each new commit: the estimate follows the last few dozen commits. */
    private static final double DECAY = 0.9;

    private double readings;
    private double nanos;
    private volatile double perSecond;
    private volatile double commitSeconds = 0.005;

    /** Starts from an assumed rate until commits are measured. */
    DrainRate(double initialPerSecond) {
        this.perSecond = initialPerSecond;
    }

    /** A commit made {@code count} readings durable in {@code elapsedNanos}. */
    synchronized void record(int count, long elapsedNanos) {
        readings = readings * DECAY + count;
        nanos = nanos * DECAY + Math.max(1, elapsedNanos);
        perSecond = readings / (nanos / 1e9);
        commitSeconds = commitSeconds * DECAY + (1 - DECAY) * (elapsedNanos / 1e9);
    }

    /** Seconds until {@code queued} readings are durable, at the measured rate. */
    double secondsFor(long queued) {
        return queued / perSecond + commitSeconds;
    }

    double perSecond() {
        return perSecond;
    }
}
