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

    /** A submission was refused because the pipeline was full. */
    void refused();

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
        public void refused() {}
    };
}
