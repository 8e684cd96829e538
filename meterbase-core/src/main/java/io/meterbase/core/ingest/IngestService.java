package io.meterbase.core.ingest;

import io.meterbase.core.store.QuarantineEntry;
import java.time.Clock;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The entry of every transport into the pipeline: normalizes and validates an upload on the caller's thread, then
 * hands accepted readings and refused ones to the durable writer. The returned future completes when both are
 * durable; only then may the transport acknowledge. Thread-safe.
 */
public final class IngestService {

    private final Normalizer normalizer;
    private final DurableWriter writer;
    private final IngestMetrics metrics;
    private final Clock clock;
    private final RateLimiter limits;

    public IngestService(Normalizer normalizer, DurableWriter writer, IngestMetrics metrics, Clock clock) {
        this(normalizer, writer, metrics, clock, new RateLimiter(0, 0, clock));
    }

    public IngestService(
            Normalizer normalizer, DurableWriter writer, IngestMetrics metrics, Clock clock, RateLimiter limits) {
        this.normalizer = normalizer;
        this.writer = writer;
        this.metrics = metrics;
        this.clock = clock;
        this.limits = limits;
    }

    public RateLimiter limits() {
        return limits;
    }

    /** The sender an upload is limited as: its gateway, or the device that reports directly. */
    static String sender(long customerId, Upload upload) {
        String ref = upload.gatewayRef() != null
                ? upload.gatewayRef()
                : upload.nodes().isEmpty() ? "-" : upload.nodes().get(0).ref();
        return customerId + "/" + ref;
    }

    /**
     * Takes an upload of an authenticated customer.
     *
     * @throws OverloadedException when the pipeline cannot take it now; nothing of it was kept
     * @throws RateLimitedException when its sender exceeds its rate limit; nothing of it was kept
     */
    public CompletableFuture<IngestReport> ingest(long customerId, String source, Upload upload) {
        try {
            limits.acquire(sender(customerId, upload), upload.readingCount());
        } catch (RateLimitedException e) {
            metrics.refused();
            throw e;
        }
        Normalized normalized = normalizer.normalize(customerId, source, upload);
        CompletableFuture<WriteOutcome> written;
        try {
            written = writer.submit(normalized.readings(), normalized.quarantine());
        } catch (OverloadedException e) {
            metrics.refused();
            throw e;
        }
        return written.thenApply(outcome -> {
            countRejections(normalized.rejections());
            metrics.accepted(outcome.stored(), outcome.duplicates());
            return new IngestReport(
                    outcome.stored() + outcome.duplicates(), outcome.duplicates(), normalized.rejections());
        });
    }

    /**
     * Keeps an input refused as a whole (malformed, oversized, wrong key) in the quarantine. The future
     * completes when the record is durable.
     */
    public CompletableFuture<Void> reject(
            String source, long customerId, RejectReason reason, String detail, String payload) {
        metrics.rejected(reason, 1);
        QuarantineEntry entry = new QuarantineEntry(clock.instant(), source, customerId, reason.key(), detail, payload);
        try {
            return writer.submit(List.of(), List.of(entry)).thenApply(o -> null);
        } catch (OverloadedException e) {
            metrics.refused();
            return CompletableFuture.failedFuture(e);
        }
    }

    private void countRejections(List<Rejection> rejections) {
        if (rejections.isEmpty()) {
            return;
        }
        Map<RejectReason, Integer> counts = new EnumMap<>(RejectReason.class);
        for (Rejection r : rejections) {
            counts.merge(r.reason(), 1, Integer::sum);
        }
        counts.forEach(metrics::rejected);
    }
}
