package io.meterbase.core.ingest;

import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * What became of one input, as every transport answers it. Only {@link Stored} and {@link Taken} are
 * acknowledgements; {@link Refused} input is recorded in the quarantine (within its quota) before the result is
 * given; after {@link NotStored} the sender should send again.
 */
public sealed interface IntakeResult {

    /**
     * Everything accepted is durable; the report counts what was accepted, duplicated and refused, and
     * {@code sender} is who sent it (the gateway the upload names, else its single device), whose due commands may
     * ride on the answer.
     */
    record Stored(IngestReport report, Optional<String> sender) implements IntakeResult {}

    /**
     * A message without readings was taken (presence, an event, a command's answer); {@code known} is false when
     * it names a command nobody sent.
     */
    record Taken(boolean known) implements IntakeResult {}

    /** The input as a whole was refused, for a reason the sender must fix; sending it again does not help. */
    record Refused(RejectReason reason, String detail) implements IntakeResult {}

    /** Nothing was acknowledged; the sender should send again after {@code retryAfterSeconds}. */
    record NotStored(String reason, long retryAfterSeconds, boolean rateLimited) implements IntakeResult {}

    /** The result of an exception thrown by the pipeline or carried by its future: nothing was stored. */
    static NotStored notStored(Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof OverloadedException o) {
            return new NotStored(String.valueOf(o.getMessage()), o.retryAfterSeconds(), false);
        }
        if (e instanceof RateLimitedException r) {
            return new NotStored(String.valueOf(r.getMessage()), r.retryAfterSeconds(), true);
        }
        return new NotStored(
                "the store could not make the readings durable; nothing was acknowledged, send them again", 5, false);
    }
}
