package io.meterbase.http;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.meterbase.core.auth.AuthResult;
import io.meterbase.core.auth.Principal;
import io.meterbase.core.ingest.DecodeContext;
import io.meterbase.core.ingest.DecodeException;
import io.meterbase.core.ingest.IngestAnswer;
import io.meterbase.core.ingest.IngestReport;
import io.meterbase.core.ingest.Origin;
import io.meterbase.core.ingest.OverloadedException;
import io.meterbase.core.ingest.PayloadDecoder;
import io.meterbase.core.ingest.RateLimitedException;
import io.meterbase.core.ingest.RejectReason;
import io.meterbase.core.ingest.Rejection;
import io.meterbase.core.ingest.Upload;
import io.meterbase.core.store.QuarantineEntry;
import io.meterbase.formats.json.MeterbaseJsonDecoder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code POST /api/v1/upload}: a gateway sends all its nodes' readings in one message, authenticated by the
 * customer's key. The answer comes only once the accepted readings are durable, and carries the customer's live
 * figures; later services add theirs to the {@code customer} object and beside it.
 */
final class UploadRoutes {

    /** Bytes of a refused body kept in the quarantine. */
    private static final int MAX_KEPT = QuarantineEntry.MAX_PAYLOAD_CHARS;

    private final ApiContext api;

    UploadRoutes(ApiContext api) {
        this.api = api;
    }

    void register(Javalin app) {
        app.post("/api/v1/upload", this::upload);
    }

    private void upload(Context ctx) throws Exception {
        Origin origin = Requests.origin(ctx);
        AuthResult auth = api.registry().authenticate(Requests.presentedKey(ctx));
        if (auth.principal() == null) {
            refuseUnauthenticated(ctx, origin, auth.refusal());
        }
        Principal principal = auth.principal();
        if (principal.isOperator()) {
            throw ApiException.forbidden("uploads are sent with the customer's key, not an operator key");
        }
        Origin sender = Requests.origin(ctx, principal);
        try {
            api.ingest().admitNow(); // a busy server refuses before reading the body
        } catch (OverloadedException e) {
            ctx.header("Retry-After", String.valueOf(e.retryAfterSeconds()));
            throw new ApiException(503, "unavailable", e.getMessage());
        }
        byte[] body = Requests.boundedBody(ctx, api.maxBodyBytes());
        if (body == null) {
            keep(sender, RejectReason.PAYLOAD_TOO_LARGE, "over " + api.maxBodyBytes() + " bytes", null);
            throw new ApiException(
                    413, RejectReason.PAYLOAD_TOO_LARGE.key(), "the body exceeds " + api.maxBodyBytes() + " bytes");
        }
        String format = ctx.queryParam("format") == null ? MeterbaseJsonDecoder.FORMAT : ctx.queryParam("format");
        PayloadDecoder decoder = api.formats()
                .decoder(format)
                .orElseThrow(() -> new ApiException(
                        400,
                        RejectReason.UNKNOWN_FORMAT.key(),
                        "unknown format '" + format + "'; known: "
                                + api.formats().formats()));
        Upload upload;
        try {
            upload = decoder.decode(
                    body,
                    new DecodeContext(ctx.queryParam("device"), api.clock().millis()));
        } catch (DecodeException e) {
            keep(sender, RejectReason.MALFORMED_PAYLOAD, e.getMessage(), Requests.head(body, MAX_KEPT));
            throw new ApiException(400, RejectReason.MALFORMED_PAYLOAD.key(), e.getMessage());
        }
        switch (IngestAnswer.await(api.ingest(), sender, upload)) {
            case IngestAnswer.Stored stored -> {
                IngestReport report = stored.report();
                ctx.status(report.accepted() == 0 && report.rejected() > 0 ? 422 : 200);
                ctx.json(answer(principal.customerId(), sender(upload), report));
            }
            case IngestAnswer.NotStored refused -> {
                ctx.header("Retry-After", String.valueOf(refused.retryAfterSeconds()));
                throw refused.rateLimited()
                        ? new ApiException(429, "rate_limited", refused.reason())
                        : new ApiException(503, "unavailable", refused.reason());
            }
        }
    }

    /**
     * Answers a request whose key did not authenticate: 401 with the first part of its body kept in the quarantine
     * (within its quota), or 429 without reading anything when its address has failed too often.
     */
    private void refuseUnauthenticated(Context ctx, Origin origin, String refusal) throws Exception {
        try {
            api.ingest().admitUnauthenticated(origin);
        } catch (RateLimitedException e) {
            ctx.header("Retry-After", String.valueOf(e.retryAfterSeconds()));
            throw new ApiException(429, "rate_limited", "too many requests without a valid key from this address");
        }
        boolean revoked = refusal.contains("revoked");
        keep(
                origin,
                revoked ? RejectReason.KEY_REVOKED : RejectReason.UNAUTHORIZED,
                refusal,
                Requests.readHead(ctx, MAX_KEPT));
        ctx.header("WWW-Authenticate", "Bearer");
        throw new ApiException(401, revoked ? "key_revoked" : "unauthorized", refusal);
    }

    /** Who sent the upload: the gateway it names, else its single device; commands for it ride on the answer. */
    static String sender(Upload upload) {
        if (upload.gatewayRef() != null) {
            return upload.gatewayRef();
        }
        return upload.nodes().size() == 1 ? upload.nodes().get(0).ref() : null;
    }

    /** Keeps a refused input within its quota; waits until the record is durable, never failing the answer. */
    private void keep(Origin origin, RejectReason reason, String detail, String payload) throws InterruptedException {
        try {
            api.ingest().reject(origin, reason, detail, payload).get(10, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // the sender still gets the refusal; the quarantine record may be missing and the log says why
        }
    }

    private Map<String, Object> answer(long customerId, String sender, IngestReport report) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("accepted", report.accepted());
        out.put("duplicates", report.duplicates());
        out.put("rejected", report.rejected());
        List<Map<String, Object>> rejections = new ArrayList<>();
        for (Rejection r : report.rejections()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("node", r.node());
            m.put("index", r.index());
            m.put("reason", r.reason().key());
            m.put("detail", r.detail());
            rejections.add(m);
        }
        out.put("rejections", rejections);
        out.putAll(api.control().gatewayAnswer(customerId, sender, "http"));
        return out;
    }
}
