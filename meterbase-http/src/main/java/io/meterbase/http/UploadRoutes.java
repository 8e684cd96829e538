package io.meterbase.http;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.meterbase.core.auth.AuthResult;
import io.meterbase.core.auth.Principal;
import io.meterbase.core.ingest.IngestReport;
import io.meterbase.core.ingest.Intake;
import io.meterbase.core.ingest.IntakeResult;
import io.meterbase.core.ingest.Origin;
import io.meterbase.core.ingest.RejectReason;
import io.meterbase.core.ingest.Via;
import io.meterbase.core.store.QuarantineEntry;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * {@code POST /api/v1/upload}: a gateway sends all its nodes' readings in one message, authenticated by the
 * customer's key. The answer comes only once the accepted readings are durable, and carries the customer's live
 * figures; later services add theirs to the {@code customer} object and beside it.
 */
final class UploadRoutes {

    /** The format of a body sent without {@code ?format=}. */
    static final String DEFAULT_FORMAT = "meterbase-json";

    private final ApiContext api;

    UploadRoutes(ApiContext api) {
        this.api = api;
    }

    void register(Javalin app) {
        app.post("/api/v1/upload", this::upload);
    }

    private void upload(Context ctx) throws Exception {
        Origin origin = Requests.origin(ctx);
        AuthResult auth = Requests.credential(ctx, api.registry());
        if (auth instanceof AuthResult.Refused r) {
            IntakeResult refused = Intake.await(api.intake()
                    .refuseUnauthenticated(
                            origin,
                            r.revoked() ? RejectReason.KEY_REVOKED : RejectReason.UNAUTHORIZED,
                            r.reason(),
                            () -> Requests.readHead(ctx, QuarantineEntry.MAX_PAYLOAD_CHARS)));
            if (refused instanceof IntakeResult.NotStored limited) {
                ctx.header("Retry-After", String.valueOf(limited.retryAfterSeconds()));
                throw new ApiException(429, "rate_limited", "too many requests without a valid key from this address");
            }
            ctx.header("WWW-Authenticate", "Bearer");
            throw new ApiException(401, r.revoked() ? "key_revoked" : "unauthorized", r.reason());
        }
        Principal principal = ((AuthResult.Accepted) auth).principal();
        if (principal.isOperator()) {
            throw ApiException.forbidden("uploads are sent with the customer's key, not an operator key");
        }
        if (principal.scope().readOnly()) {
            throw ApiException.forbidden("a read-only key cannot upload");
        }
        Origin sender = Requests.origin(ctx, principal);
        Optional<IntakeResult.NotStored> busy = api.intake().busy(); // a busy server refuses before reading the body
        if (busy.isPresent()) {
            throw notStored(ctx, busy.get());
        }
        byte[] body = Requests.boundedBody(ctx, api.maxBodyBytes());
        if (body == null) {
            String detail = "the body exceeds " + api.maxBodyBytes() + " bytes";
            Intake.await(api.intake().refuse(sender, RejectReason.PAYLOAD_TOO_LARGE, detail, null));
            throw new ApiException(413, RejectReason.PAYLOAD_TOO_LARGE.key(), detail);
        }
        String format = ctx.queryParam("format") == null ? DEFAULT_FORMAT : ctx.queryParam("format");
        IntakeResult result = Intake.await(
                api.intake().submit(sender, Via.format(format), body, Intake.device(ctx.queryParam("device"))));
        switch (result) {
            case IntakeResult.Stored stored -> {
                IngestReport report = stored.report();
                int status = report.accepted() == 0 && report.rejected() > 0 ? 422 : 200;
                ControlRoutes.json(
                        ctx, status, answer(principal, stored.sender().orElse(null), report));
            }
            case IntakeResult.Taken taken -> ControlRoutes.json(ctx, 200, answer(principal, null, IngestReport.EMPTY));
            case IntakeResult.Refused refused ->
                throw new ApiException(400, refused.reason().key(), refused.detail());
            case IntakeResult.NotStored refused -> throw notStored(ctx, refused);
        }
    }

    /** 429 when a limit refused it, else 503; both with Retry-After. */
    static ApiException notStored(Context ctx, IntakeResult.NotStored refused) {
        ctx.header("Retry-After", String.valueOf(refused.retryAfterSeconds()));
        return refused.rateLimited()
                ? new ApiException(429, "rate_limited", refused.reason())
                : new ApiException(503, "unavailable", refused.reason());
    }

    /**
     * The answer: what was stored, the customer's figures, and the commands due for the sender. A device or gateway
     * key gets the commands of its own device or gateway only (never those of a sender it named outside its scope)
     * and not the customer's alarms.
     */
    private UploadAnswer answer(Principal principal, @Nullable String sender, IngestReport report) {
        boolean scoped = principal.scope().uploadsOnly();
        String commandsFor = !scoped || (sender != null && sender.equals(principal.target())) ? sender : null;
        io.meterbase.core.api.GatewayAnswer a =
                api.control().gatewayAnswer(principal.customerId(), commandsFor, "http");
        if (scoped) {
            a = new io.meterbase.core.api.GatewayAnswer(a.customer(), a.community(), a.grid(), a.commands(), List.of());
        }
        return UploadAnswer.of(report, a);
    }
}
