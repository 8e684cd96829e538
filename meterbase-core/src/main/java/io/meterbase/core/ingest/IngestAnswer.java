package io.meterbase.core.ingest;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The outcome of a submission as a transport answers it: the report once durable, or why nothing was acknowledged
 * and when to send again. Transports map these to their own answers (HTTP status, MQTT reason code, CoAP code).
 */
public sealed interface IngestAnswer {

    /** Everything accepted is durable. */
    record Stored(IngestReport report) implements IngestAnswer {}

    /** Nothing was acknowledged; the sender should send again after {@code retryAfterSeconds}. */
    record NotStored(String reason, long retryAfterSeconds, boolean rateLimited) implements IngestAnswer {}

    /** The answer to an exception thrown by {@link IngestService#ingest} or carried by its future. */
    static NotStored of(Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof OverloadedException o) {
            return new NotStored(o.getMessage(), o.retryAfterSeconds(), false);
        }
        if (e instanceof RateLimitedException r) {
            return new NotStored(r.getMessage(), r.retryAfterSeconds(), true);
        }
        return new NotStored(
                "the store could not make the readings durable; nothing was acknowledged, send them again", 5, false);
    }

    /**
     * How long a transport waits for a commit that was taken but does not end (a store that stopped answering).
     * Longer than any commit takes when the store works: the writer refuses what it cannot take within
     * {@code ingest.answer-within}, and a store that fails makes the commit fail.
     */
    Duration STORE_HANGS_AFTER = Duration.ofMinutes(6);

    /**
     * Submits an upload and waits for its outcome: stored; refused (busy, limited, not taken in time); or the
     * store's failure. Only when the store hangs in the commit for {@link #STORE_HANGS_AFTER} is the sender told
     * that nothing was acknowledged while the outcome is unknown (sending again is safe: readings are stored once).
     */
    static IngestAnswer await(IngestService ingest, Origin origin, Upload upload) throws InterruptedException {
        CompletableFuture<IngestReport> future;
        try {
            future = ingest.ingest(origin, upload);
        } catch (OverloadedException | RateLimitedException e) {
            return of(e);
        }
        try {
            return new Stored(future.get(STORE_HANGS_AFTER.toSeconds(), TimeUnit.SECONDS));
        } catch (ExecutionException e) {
            return of(e);
        } catch (TimeoutException e) {
            return new NotStored(
                    "the store did not finish within " + STORE_HANGS_AFTER.toMinutes() + " min; nothing was"
                            + " acknowledged, and sending again is safe (readings are stored once)",
                    30,
                    false);
        }
    }
}
