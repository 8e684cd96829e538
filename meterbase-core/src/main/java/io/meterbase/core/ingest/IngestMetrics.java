package io.meterbase.core.ingest;

import java.util.function.Supplier;

/**
 * Where the pipeline reports what it does; implemented over the metrics library by the app. Called from many
 * threads; implementations must be thread-safe and must not block.
 */
public interface IngestMetrics {

    /** A group commit made this many readings durable in this many nanoseconds. */
    void written(int readings, long nanos);

    void writeFailed();

    void queueDepth(Supplier<Number> depth);

    void accepted(int readings, int duplicates);

    void rejected(RejectReason reason, int count);

    /** Why a submission was refused as a whole. */
    enum Refusal {
        /** The queue ahead of it would not drain in time. */
        BUSY,
        /** It waited longer than its answer time and was not written. */
        LATE,
        /** Its credential or customer was over its rate limit. */
        RATE_LIMITED,
        /** The disk was below its free-space watermark. */
        DISK_LOW,
        /** An address failed to authenticate too often. */
        UNAUTHENTICATED;

        public String key() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** A submission was refused as a whole; its sender was told to retry. */
    void refused(Refusal why);

    /** Refused inputs counted but not kept (over their quarantine quota, or while the disk is low). */
    void quarantineCounted(int count);

    /** Metrics that go nowhere, for tests and tools. */
    IngestMetrics NONE = new IngestMetrics() {
        @Override
        public void written(int readings, long nanos) {}

        @Override
        public void writeFailed() {}

        @Override
        public void queueDepth(Supplier<Number> depth) {}

        @Override
        public void accepted(int readings, int duplicates) {}

        @Override
        public void rejected(RejectReason reason, int count) {}

        @Override
        public void refused(Refusal why) {}

        @Override
        public void quarantineCounted(int count) {}
    };
}
