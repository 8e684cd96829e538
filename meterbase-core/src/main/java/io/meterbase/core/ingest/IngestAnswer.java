package io.meterbase.core.ingest;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

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
     * Submits an upload and waits for its outcome. The writer completes every submission within its answer time
     * (or with the store's failure), so this does not wait on a timer of its own.
     */
    static IngestAnswer await(IngestService ingest, Origin origin, Upload upload) throws InterruptedException {
        CompletableFuture<IngestReport> future;
        try {
            future = ingest.ingest(origin, upload);
        } catch (OverloadedException | RateLimitedException e) {
            return of(e);
        }
        try {
            return new Stored(future.get());
        } catch (ExecutionException e) {
            return of(e);
        }
    }
}
