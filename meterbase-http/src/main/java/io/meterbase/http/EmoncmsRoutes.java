package io.meterbase.http;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.meterbase.core.auth.AuthResult;
import io.meterbase.core.ingest.DecodeException;
import io.meterbase.core.ingest.IngestAnswer;
import io.meterbase.core.ingest.IngestReport;
import io.meterbase.core.ingest.Origin;
import io.meterbase.core.ingest.RateLimitedException;
import io.meterbase.core.ingest.RejectReason;
import io.meterbase.core.ingest.Upload;
import java.util.concurrent.TimeUnit;

/**
 * The emoncms input API, answered as emoncms answers ({@code ok} in plain text), so emonhub and other emoncms
 * clients post to Meterbase unchanged: {@code /input/post}, {@code /input/bulk} (also with {@code .json}), by GET
 * or form POST. The key comes in {@code Authorization: Bearer} or as the POST field {@code apikey} (what emonhub
 * sends); a key in the URL is refused. Customers create emoncms-format keys with
 * {@code POST /api/v1/keys {"format": "emoncms"}}.
 */
final class EmoncmsRoutes {

    private final ApiContext api;

    EmoncmsRoutes(ApiContext api) {
        this.api = api;
    }

    void register(Javalin app) {
        for (String path : new String[] {"/input/post", "/input/post.json", "/input/bulk", "/input/bulk.json"}) {
            app.get(path, this::handle);
            app.post(path, this::handle);
        }
    }

    private static String param(Context ctx, String name) {
        String form = ctx.isMultipartFormData()
                        || ctx.contentType() != null
                                && ctx.contentType().startsWith("application/x-www-form-urlencoded")
                ? ctx.formParam(name)
                : null;
        return form != null ? form : ctx.queryParam(name);
    }

    private void handle(Context ctx) throws Exception {
        Origin origin = Requests.origin(ctx);
        if (ctx.queryParam("apikey") != null) {
            ctx.status(400)
                    .result("API keys are never accepted in URLs: send 'Authorization: Bearer <key>' or a POST"
                            + " field apikey");
            return;
        }
        String presented = ctx.header("Authorization") != null ? Requests.presentedKey(ctx) : param(ctx, "apikey");
        AuthResult auth = api.registry().authenticate(presented);
        if (auth.principal() == null || auth.principal().isOperator()) {
            String why = auth.principal() == null ? auth.refusal() : "an operator key cannot post inputs";
            try {
                api.ingest().admitUnauthenticated(origin);
            } catch (RateLimitedException e) {
                ctx.header("Retry-After", String.valueOf(e.retryAfterSeconds()));
                ctx.status(429).result("Error: too many requests without a valid key from this address");
                return;
            }
            api.ingest().reject(origin, RejectReason.UNAUTHORIZED, why, null).get(10, TimeUnit.SECONDS);
            ctx.status(401).result("Error: " + why);
            return;
        }
        Origin sender = Requests.origin(ctx, auth.principal());
        long now = api.clock().millis();
        Upload upload;
        try {
            upload = ctx.path().startsWith("/input/bulk")
                    ? api.emoncms()
                            .bulk(
                                    param(ctx, "data"),
                                    param(ctx, "sentat"),
                                    param(ctx, "offset"),
                                    param(ctx, "time"),
                                    now)
                    : api.emoncms()
                            .post(
                                    param(ctx, "node"),
                                    param(ctx, "fulljson"),
                                    param(ctx, "json"),
                                    param(ctx, "csv"),
                                    param(ctx, "time"),
                                    now);
        } catch (DecodeException e) {
            api.ingest()
                    .reject(sender, RejectReason.MALFORMED_PAYLOAD, e.getMessage(), ctx.queryString())
                    .get(10, TimeUnit.SECONDS);
            ctx.status(400).result("Error: " + e.getMessage());
            return;
        }
        IngestReport report;
        switch (IngestAnswer.await(api.ingest(), sender, upload)) {
            case IngestAnswer.Stored stored -> report = stored.report();
            case IngestAnswer.NotStored refused -> {
                ctx.header("Retry-After", String.valueOf(refused.retryAfterSeconds()));
                ctx.status(refused.rateLimited() ? 429 : 503).result("Error: not stored: " + refused.reason());
                return;
            }
        }
        if (report.accepted() == 0 && report.rejected() > 0) {
            ctx.status(422)
                    .result("Error: no input stored: "
                            + report.rejections().get(0).detail()
                            + (report.rejected() > 1 ? " (and " + (report.rejected() - 1) + " more)" : ""));
            return;
        }
        ctx.contentType("text/plain").result("ok");
    }
}
