package io.meterbase.core.ingest;

import io.meterbase.core.store.QuarantineEntry;
import io.meterbase.core.store.StoreException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The entry of every transport into the pipeline: checks that there is room (disk) and allowance (rate limits),
 * normalizes and validates an upload on the caller's thread, then hands accepted readings and refused ones to the
 * durable writer. The returned future completes when both are durable; only then may the transport acknowledge.
 * Refused input is kept within a quota per source and reason (the rest is counted). Thread-safe.
 */
public final class IngestService {

    private static final Logger LOG = LoggerFactory.getLogger(IngestService.class);

    private final Normalizer normalizer;
    private final DurableWriter writer;
    private final IngestMetrics metrics;
    private final Clock clock;
    private final IngestLimits limits;
    private final DiskGuard disk;
    private final QuarantineQuota quota;

    /** A pipeline without limits, disk watch or quarantine quota (tools and tests). */
    public IngestService(Normalizer normalizer, DurableWriter writer, IngestMetrics metrics, Clock clock) {
        this(
                normalizer,
                writer,
                metrics,
                clock,
                IngestLimits.off(clock),
                DiskGuard.off(),
                QuarantineQuota.unlimited(clock));
    }

    public IngestService(
            Normalizer normalizer,
            DurableWriter writer,
            IngestMetrics metrics,
            Clock clock,
            IngestLimits limits,
            DiskGuard disk,
            QuarantineQuota quota) {
        this.normalizer = normalizer;
        this.writer = writer;
        this.metrics = metrics;
        this.clock = clock;
        this.limits = limits;
        this.disk = disk;
        this.quota = quota;
    }

    public IngestLimits limits() {
        return limits;
    }

    public DiskGuard disk() {
        return disk;
    }

    public QuarantineQuota quota() {
        return quota;
    }

    /**
     * Takes an upload of an authenticated sender.
     *
     * @throws OverloadedException when the pipeline cannot take it now (busy, disk low, stopping); nothing of it
     *     was kept
     * @throws RateLimitedException when its credential or customer exceeds its rate limit; nothing of it was kept
     */
    public CompletableFuture<IngestReport> ingest(Origin origin, Upload upload) {
        if (!origin.isAuthenticated()) {
            throw new IllegalArgumentException("origin: uploads come from authenticated senders, was " + origin);
        }
        Optional<String> low = disk.refusal();
        if (low.isPresent()) {
            metrics.refused(IngestMetrics.Refusal.DISK_LOW);
            throw new OverloadedException(low.get(), 30);
        }
        try {
            // before the work of registering and validating: a busy pipeline refuses at once
            writer.admit(upload.readingCount());
        } catch (OverloadedException e) {
            metrics.refused(IngestMetrics.Refusal.BUSY);
            throw e;
        }
        try {
            limits.acquireReadings(origin, upload.readingCount());
        } catch (RateLimitedException e) {
            metrics.refused(IngestMetrics.Refusal.RATE_LIMITED);
            throw e;
        }
        Normalized normalized;
        try {
            normalized = normalize(origin, upload);
        } catch (StoreException e) {
            metrics.writeFailed();
            throw new OverloadedException("new devices could not be registered now: " + e.getMessage(), 5);
        }
        CompletableFuture<WriteOutcome> written;
        try {
            written = writer.submit(normalized.readings(), withinQuota(origin, normalized.quarantine()));
        } catch (OverloadedException e) {
            metrics.refused(IngestMetrics.Refusal.BUSY);
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
     * Refuses at once, before an upload is read, when the queue ahead of it would not drain in time (or the disk is
     * low): a busy server spends nothing on uploads it cannot take.
     *
     * @throws OverloadedException when new readings cannot be taken now
     */
    public void admitNow() {
        Optional<String> low = disk.refusal();
        if (low.isPresent()) {
            metrics.refused(IngestMetrics.Refusal.DISK_LOW);
            throw new OverloadedException(low.get(), 30);
        }
        try {
            writer.admit(0);
        } catch (OverloadedException e) {
            metrics.refused(IngestMetrics.Refusal.BUSY);
            throw e;
        }
    }

    /**
     * Checks that a sender that failed to authenticate may be answered at all: each address has an allowance of
     * such requests; beyond it they are refused before anything of them is read or kept.
     *
     * @throws RateLimitedException when the address is over its allowance
     */
    public void admitUnauthenticated(Origin origin) {
        try {
            limits.admitUnauthenticated(origin);
        } catch (RateLimitedException e) {
            metrics.refused(IngestMetrics.Refusal.UNAUTHENTICATED);
            throw e;
        }
    }

    /**
     * Keeps an input refused as a whole (malformed, oversized, wrong key) in the quarantine, within the quota of its
     * source and reason (beyond it, and while the disk is low, it is only counted). The future completes when the
     * record is durable or was not to be kept; it never fails: the refusal is answered either way.
     */
    public CompletableFuture<Void> reject(Origin origin, RejectReason reason, String detail, @Nullable String payload) {
        metrics.rejected(reason, 1);
        if (!quota.admit(origin, reason.key())) {
            metrics.quarantineCounted(1);
            return CompletableFuture.completedFuture(null);
        }
        if (disk.refusal().isPresent()) {
            metrics.quarantineCounted(1);
            return CompletableFuture.completedFuture(null);
        }
        QuarantineEntry entry = new QuarantineEntry(
                clock.instant(), origin.describe(), origin.customerId(), reason.key(), detail, payload);
        try {
            return writer.submit(List.of(), List.of(entry)).handle((o, error) -> {
                if (error != null) {
                    LOG.debug("A refused input was not kept: {}", error.toString());
                }
                return null;
            });
        } catch (OverloadedException e) {
            metrics.quarantineCounted(1);
            return CompletableFuture.completedFuture(null);
        }
    }

    /**
     * Stores the summaries of quarantine windows that closed (refusals counted beyond the quota). Called
     * periodically; nothing happens when there are none.
     */
    public void storeQuotaSummaries() {
        List<QuarantineEntry> summaries = quota.closedWindows();
        if (summaries.isEmpty()) {
            return;
        }
        if (disk.refusal().isPresent()) {
            quota.putBack(summaries); // kept in memory until there is room
            return;
        }
        try {
            writer.submit(List.of(), summaries).exceptionally(error -> {
                LOG.warn("Could not keep {} quarantine summaries yet: {}", summaries.size(), error.toString());
                quota.putBack(summaries);
                return null;
            });
        } catch (OverloadedException e) {
            quota.putBack(summaries);
        }
    }

    private List<QuarantineEntry> withinQuota(Origin origin, List<QuarantineEntry> entries) {
        if (entries.isEmpty()) {
            return entries;
        }
        List<QuarantineEntry> kept = new ArrayList<>(entries.size());
        for (QuarantineEntry e : entries) {
            if (quota.admit(origin, e.reason())) {
                kept.add(e);
            }
        }
        if (kept.size() < entries.size()) {
            metrics.quarantineCounted(entries.size() - kept.size());
        }
        return kept;
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

    /**
     * Normalizes, registering what is new; a registration another node made at the same moment is asked again (the
     * registry knows that node's rows by then), a few times at most. A conflict is learned one level at a time
     * (gateway, devices, channels), each time with all of that level's rows: an upload whose gateway, devices and
     * channels another node registered at once takes four attempts; five leave room for one more node.
     */
    private Normalized normalize(Origin origin, Upload upload) {
        for (int attempt = 1; ; attempt++) {
            try {
                return normalizer.normalize(
                        origin.customerId(), origin::describe, upload, origin.onlyDevice(), origin.onlyGateway());
            } catch (io.meterbase.core.store.RegistrationConflictException e) {
                if (attempt == 5) {
                    throw e;
                }
            }
        }
    }
}
