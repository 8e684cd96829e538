package io.meterbase.core.ingest;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The durable writer as health checks see it: whether its last attempt to write failed (and why), readings waiting,
 * and the rate at which it makes them durable.
 *
 * @param failing the last commit failed and none has succeeded since (the next commit tells: without uploads the
 *     writer makes none), or the last rollup update failed
 * @param lastError the reason of the last failure, or empty when there was none
 * @param lastFailureAt when it happened, or null
 * @param pending readings waiting for their commit
 * @param readingsPerSecond the measured drain rate
 */
public record WriterStatus(
        boolean failing, String lastError, @Nullable Instant lastFailureAt, long pending, double readingsPerSecond) {}
