package io.meterbase.http;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.meterbase.core.auth.AuthResult;
import io.meterbase.core.auth.Principal;
import io.meterbase.core.ingest.DecodeContext;
import io.meterbase.core.ingest.DecodeException;
import io.meterbase.core.ingest.IngestReport;
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

    private final ApiContext api;

    UploadRoutes(ApiContext api) {
        this.api = api;
    }

    void register(Javalin app) {
        app.post("/api/v1/upload", this::upload);
    }

    private void upload(Context ctx) throws Exception {
        String source = Requests.source(ctx);
        AuthResult auth = api.registry().authenticate(Requests.presentedKey(ctx));
        byte[] body = Requests.boundedBody(ctx, api.maxBodyBytes());
        if (auth.principal() == null) {
            boolean revoked = auth.refusal().contains("revoked");
            keep(source, 0, revoked ? RejectReason.KEY_REVOKED : RejectReason.UNAUTHORIZED, auth.refusal(), body);
            ctx.header("WWW-Authenticate", "Bearer");
            throw new ApiException(401, revoked ? "key_revoked" : "unauthorized", auth.refusal());
        }
        Principal principal = auth.principal();
        if (principal.isOperator()) {
            throw ApiException.forbidden("uploads are sent with the customer's key, not an operator key");
        }
        if (body == null) {
            keep(
                    source,
                    principal.customerId(),
                    RejectReason.PAYLOAD_TOO_LARGE,
                    "over " + api.maxBodyBytes() + " bytes",
                    null);
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
            keep(source, principal.customerId(), RejectReason.MALFORMED_PAYLOAD, e.getMessage(), body);
            throw new ApiException(400, RejectReason.MALFORMED_PAYLOAD.key(), e.getMessage());
        }
        IngestReport report;
        try {
            report = api.ingest().ingest(principal.customerId(), source, upload).get(60, TimeUnit.SECONDS);
        } catch (OverloadedException e) {
            throw overloaded(ctx, e.getMessage());
        } catch (RateLimitedException e) {
            ctx.header("Retry-After", String.valueOf(e.retryAfterSeconds()));
            throw new ApiException(429, "rate_limited", e.getMessage());
        } catch (ExecutionException | TimeoutException e) {
            throw overloaded(
                    ctx, "the store could not make the readings durable; nothing was acknowledged, retry later");
        }
        ctx.status(report.accepted() == 0 && report.rejected() > 0 ? 422 : 200);
        ctx.json(answer(principal.customerId(), sender(upload), report));
    }

    /** Who sent the upload: the gateway it names, else its single device; commands for it ride on the answer. */
    static String sender(Upload upload) {
        if (upload.gatewayRef() != null) {
            return upload.gatewayRef();
        }
        return upload.nodes().size() == 1 ? upload.nodes().get(0).ref() : null;
    }

    private static ApiException overloaded(Context ctx, String message) {
        ctx.header("Retry-After", "1");
        return new ApiException(503, "unavailable", message);
    }

    /** Keeps a refused input; waits until the record is durable, but never fails the answer because of it. */
    private void keep(String source, long customerId, RejectReason reason, String detail, byte[] body) {
        try {
            api.ingest()
                    .reject(source, customerId, reason, detail, Requests.head(body, QuarantineEntry.MAX_PAYLOAD_CHARS))
                    .get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
