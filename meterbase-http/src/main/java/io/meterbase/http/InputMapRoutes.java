package io.meterbase.http;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.meterbase.core.ingest.InputMaps;
import java.nio.charset.StandardCharsets;

/**
 * A customer's own names for what their devices send ({@link InputMaps}): {@code GET /api/v1/input-maps/{format}}
 * answers the customer's entries and the built-in ones tried after them; {@code PUT} replaces the customer's entries
 * (operators name the customer with {@code ?customer=}).
 */
final class InputMapRoutes {

    private final ApiContext api;

    InputMapRoutes(ApiContext api) {
        this.api = api;
    }

    void register(Javalin app) {
        app.get("/api/v1/input-maps/{format}", ctx -> {
            long customer = ControlRoutes.customer(ctx, api);
            String format = format(ctx);
            ctx.contentType("application/json").result(api.intake().inputMaps().get(customer, format));
        });
        app.put("/api/v1/input-maps/{format}", ctx -> {
            long customer = ControlRoutes.customer(ctx, api);
            String format = format(ctx);
            byte[] body = Requests.boundedBody(ctx, 256 * 1024);
            if (body == null) {
                throw new ApiException(413, "too_large", "an input map has at most 256 KiB");
            }
            try {
                api.intake().inputMaps().put(customer, format, new String(body, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest(e.getMessage());
            }
            ctx.contentType("application/json").result(api.intake().inputMaps().get(customer, format));
        });
    }

    private String format(Context ctx) {
        String format = ctx.pathParam("format");
        if (!api.intake().inputMaps().formats().contains(format)) {
            throw ApiException.notFound("no input map for format '" + format + "' (these have one: "
                    + api.intake().inputMaps().formats() + ")");
        }
        return format;
    }
}
