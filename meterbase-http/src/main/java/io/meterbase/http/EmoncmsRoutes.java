package io.meterbase.http;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.meterbase.core.auth.AuthResult;
import io.meterbase.core.ingest.IngestReport;
import io.meterbase.core.ingest.Intake;
import io.meterbase.core.ingest.IntakeResult;
import io.meterbase.core.ingest.Origin;
import io.meterbase.core.ingest.RejectReason;
import io.meterbase.core.ingest.Via;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The emoncms input API, answered as emoncms answers ({@code ok} in plain text), so emonhub and other emoncms
 * clients post to Meterbase unchanged: {@code /input/post}, {@code /input/bulk} (also with {@code .json}), by GET
 * or form POST. The key comes in {@code Authorization: Bearer} or as the POST field {@code apikey} (what emonhub
 * sends); a key in the URL is refused. Customers create emoncms-format keys with
 * {@code POST /api/v1/keys {"format": "emoncms"}}.
 */
final class EmoncmsRoutes {

    /** The format that reads these requests, and the field that says which request it is. */
    private static final String EMONCMS = "emoncms";

    private static final String EMONCMS_REQUEST = "request";

    /** The fields of the emoncms input API's requests. */
    private static final List<String> FIELDS =
            List.of("node", "fulljson", "json", "csv", "data", "sentat", "offset", "time");

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

    private static @Nullable String param(Context ctx, String name) {
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
        if (!(auth instanceof AuthResult.Accepted accepted)
                || accepted.principal().isOperator()) {
            String why = auth instanceof AuthResult.Refused r ? r.reason() : "an operator key cannot post inputs";
            IntakeResult refused = Intake.await(
                    api.intake().refuseUnauthenticated(origin, RejectReason.UNAUTHORIZED, why, () -> null));
            if (refused instanceof IntakeResult.NotStored limited) {
                ctx.header("Retry-After", String.valueOf(limited.retryAfterSeconds()));
                ctx.status(429).result("Error: too many requests without a valid key from this address");
                return;
            }
            ctx.status(401).result("Error: " + why);
            return;
        }
        if (accepted.principal().scope().readOnly()) {
            ctx.status(403).result("Error: a read-only key cannot post inputs");
            return;
        }
        Map<String, String> fields = new HashMap<>();
        fields.put(EMONCMS_REQUEST, ctx.path().startsWith("/input/bulk") ? "bulk" : "post");
        IntakeResult result = Intake.await(api.intake()
                .submit(Requests.origin(ctx, accepted.principal()), Via.format(EMONCMS), request(ctx), fields));
        switch (result) {
            case IntakeResult.Stored stored
            when stored.report().accepted() == 0 && stored.report().rejected() > 0 -> {
                IngestReport report = stored.report();
                ctx.status(422)
                        .result("Error: no input stored: "
                                + report.rejections().get(0).detail()
                                + (report.rejected() > 1 ? " (and " + (report.rejected() - 1) + " more)" : ""));
            }
            case IntakeResult.Stored stored -> ctx.contentType("text/plain").result("ok");
            case IntakeResult.Taken taken -> ctx.contentType("text/plain").result("ok");
            case IntakeResult.Refused refused -> ctx.status(400).result("Error: " + refused.detail());
            case IntakeResult.NotStored refused -> {
                ctx.header("Retry-After", String.valueOf(refused.retryAfterSeconds()));
                ctx.status(refused.rateLimited() ? 429 : 503).result("Error: not stored: " + refused.reason());
            }
        }
    }

    /**
     * The request's input fields, wherever they came (URL, form body, multipart), form-encoded as the emoncms
     * format takes them.
     */
    private static byte[] request(Context ctx) {
        StringBuilder form = new StringBuilder();
        for (String name : FIELDS) {
            String value = param(ctx, name);
            if (value != null) {
                if (!form.isEmpty()) {
                    form.append('&');
                }
                form.append(name).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
            }
        }
        return form.toString().getBytes(StandardCharsets.UTF_8);
    }
}
