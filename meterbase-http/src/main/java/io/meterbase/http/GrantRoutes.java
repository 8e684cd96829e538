package io.meterbase.http;

import static io.meterbase.http.ControlRoutes.h;
import static io.meterbase.http.ControlRoutes.json;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.meterbase.core.auth.Principal;
import io.meterbase.core.model.Channel;
import io.meterbase.core.model.Device;
import io.meterbase.core.model.Reading;
import io.meterbase.core.query.History;
import io.meterbase.identity.Grants;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Third-party access: owners grant (and revoke) an application read access to chosen devices and quantities; the
 * application reads with the grant's token under {@code /api/v1/shared}, and only there. Every request made with a
 * grant token is logged, refused ones too.
 */
final class GrantRoutes {

    static final String GRANT = "meterbase.grant";
    private static final long HOUR = 3_600_000L;

    private final ApiContext api;
    private final Grants grants;

    GrantRoutes(ApiContext api) {
        this.api = api;
        this.grants = api.grants();
    }

    void register(Javalin app) {
        app.before("/api/*", this::fromToken);
        app.after("/api/*", ctx -> {
            Grants.Grant g = ctx.attribute(GRANT);
            if (g != null) {
                grants.logged(g, ctx.method().name(), ctx.path(), ctx.statusCode(), ctx.ip());
            }
        });
        app.post("/api/v1/grants", h(this::create));
        app.get("/api/v1/grants", h(ctx -> {
            Principal p = Requests.authenticate(ctx, api.registry());
            long customer = p.isOperator() ? Requests.longParam(ctx, "customer") : p.customerId();
            json(
                    ctx,
                    200,
                    grants.of(customer).stream().map(GrantRoutes::describe).toList());
        }));
        app.delete("/api/v1/grants/{id}", h(ctx -> {
            Grants.Grant g = visible(ctx);
            json(
                    ctx,
                    200,
                    describe(
                            java.util.Objects.requireNonNull(grants.revoke(g.id()), "a visible grant can be revoked")));
        }));
        app.get("/api/v1/grants/{id}/accesses", h(ctx -> {
            Grants.Grant g = visible(ctx);
            Grants.AccessLog log = grants.log(g.id());
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("grant", g.id());
            out.put("total", log.total());
            out.put("newest", log.newest());
            json(ctx, 200, out);
        }));
        app.get("/api/v1/shared", h(ctx -> json(ctx, 200, shared(grant(ctx)))));
        app.get("/api/v1/shared/latest", h(this::sharedLatest));
        app.get("/api/v1/shared/channels/{id}/history", h(this::sharedHistory));
    }

    /**
     * A grant token is taken here and nowhere else: outside {@code /api/v1/shared} it is refused with 403 (the API
     * description stays readable). Unknown and revoked tokens are 401.
     */
    private void fromToken(Context ctx) {
        String token = Requests.bearer(ctx);
        if (token == null || !token.startsWith(Grants.TOKEN_PREFIX)) {
            return;
        }
        Grants.Grant g = grants.byToken(token).orElse(null);
        if (g == null) {
            ctx.header("WWW-Authenticate", "Bearer");
            throw new ApiException(401, "unauthorized", "unknown grant token");
        }
        ctx.attribute(GRANT, g);
        if (g.revoked()) {
            ctx.header("WWW-Authenticate", "Bearer");
            throw new ApiException(401, "key_revoked", "the owner revoked this grant");
        }
        boolean description = ctx.path().equals("/api/v1/openapi.json");
        if (!description && !ctx.path().equals("/api/v1/shared") && !ctx.path().startsWith("/api/v1/shared/")) {
            throw ApiException.forbidden("a grant token reads only /api/v1/shared");
        }
    }

    private Grants.Grant grant(Context ctx) {
        Grants.Grant g = ctx.attribute(GRANT);
        if (g == null) {
            if (Requests.bearer(ctx) == null && ctx.attribute(Requests.PRINCIPAL) == null) {
                ctx.header("WWW-Authenticate", "Bearer");
                throw new ApiException(401, "unauthorized", "missing grant token");
            }
            throw ApiException.forbidden("/api/v1/shared is read with a grant token");
        }
        return g;
    }

    private Grants.Grant visible(Context ctx) {
        Principal p = Requests.authenticate(ctx, api.registry());
        String id = ctx.pathParam("id");
        Grants.Grant g = grants.get(id).orElse(null);
        if (g == null || !p.canAccess(g.customer())) {
            throw ApiException.notFound("no grant " + id);
        }
        return g;
    }

    private void create(Context ctx) throws Exception {
        Principal p = Requests.authenticate(ctx, api.registry());
        if (p.isOperator()) {
            throw ApiException.forbidden("grants are given by the owner of the data, with the owner's sign-in or key");
        }
        JsonNode b = ApiJson.MAPPER.readTree(ctx.body());
        List<String> devices = strings(b.path("devices"));
        for (String ref : devices) {
            if (api.registry().device(p.customerId(), ref).isEmpty()) {
                throw ApiException.badRequest("devices: you have no device '" + ref + "'");
            }
        }
        List<String> quantities = strings(b.path("quantities")).stream()
                .map(q -> q.toLowerCase(Locale.ROOT))
                .toList();
        Grants.Created c = grants.create(
                p.customerId(),
                b.path("application").asText(null),
                devices,
                quantities,
                instant(b, "from"),
                instant(b, "to"),
                b.path("aggregated_only").asBoolean(false));
        Map<String, Object> out = describe(c.grant());
        out.put("token", c.token());
        out.put("note", "the token is shown once; give it to the application, which sends it as a Bearer token");
        json(ctx, 201, out);
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> {
            if (!n.asText("").isBlank()) {
                out.add(n.asText().trim());
            }
        });
        return out;
    }

    private static @Nullable Instant instant(JsonNode b, String field) {
        String v = b.path(field).asText("");
        try {
            return v.isBlank() ? null : Instant.parse(v);
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest(field + " must be an ISO-8601 instant, was '" + v + "'");
        }
    }

    static Map<String, Object> describe(Grants.Grant g) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", g.id());
        m.put("customer", g.customer());
        m.put("application", g.application());
        m.put("devices", g.devices());
        m.put("quantities", g.quantities());
        m.put("from", g.from());
        m.put("to", g.to());
        m.put("aggregated_only", g.aggregatedOnly());
        m.put("token_prefix", g.tokenPrefix());
        m.put("created_at", g.createdAt());
        m.put("revoked_at", g.revokedAt());
        return m;
    }

    /** The channels a grant shows: of its devices, of its quantities. */
    private List<Map.Entry<Device, Channel>> channels(Grants.Grant g) {
        List<Map.Entry<Device, Channel>> out = new ArrayList<>();
        for (String ref : g.devices()) {
            Device d = api.registry().device(g.customer(), ref).orElse(null);
            if (d == null) {
                continue;
            }
            for (Channel c : api.registry().channels(d.id())) {
                if (g.covers(d.ref(), c.quantity().key())) {
                    out.add(Map.entry(d, c));
                }
            }
        }
        return out;
    }

    private Map<String, Object> shared(Grants.Grant g) {
        Map<String, Object> out = describe(g);
        out.remove("token_prefix");
        List<Map<String, Object>> channels = new ArrayList<>();
        for (Map.Entry<Device, Channel> e : channels(g)) {
            channels.add(channelJson(e.getKey(), e.getValue()));
        }
        out.put("channels", channels);
        return out;
    }

    private static Map<String, Object> channelJson(Device d, Channel c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", c.id());
        m.put("device", d.ref());
        m.put("device_name", d.name());
        m.put("channel", c.name());
        m.put("quantity", c.quantity().key());
        m.put("unit", c.unit().symbol());
        return m;
    }

    private boolean inPeriod(Grants.Grant g, long t) {
        return (g.from() == null || t >= g.from().toEpochMilli()) && (g.to() == null || t < g.to().toEpochMilli());
    }

    private void sharedLatest(Context ctx) {
        Grants.Grant g = grant(ctx);
        if (g.aggregatedOnly()) {
            throw ApiException.forbidden(
                    "this grant shares hourly aggregates only; read /api/v1/shared/channels/{id}/history");
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map.Entry<Device, Channel> e : channels(g)) {
            Reading r = api.live().latest(e.getValue().id()).orElse(null);
            if (r != null && inPeriod(g, r.timestamp())) {
                Map<String, Object> m = channelJson(e.getKey(), e.getValue());
                m.put("value", r.value());
                m.put("ts", Instant.ofEpochMilli(r.timestamp()).toString());
                out.add(m);
            }
        }
        json(ctx, 200, out);
    }

    private void sharedHistory(Context ctx) {
        Grants.Grant g = grant(ctx);
        int id = (int) Requests.pathLong(ctx, "id");
        Map.Entry<Device, Channel> granted = channels(g).stream()
                .filter(e -> e.getValue().id() == id)
                .findFirst()
                .orElseThrow(() -> ApiException.forbidden("channel " + id + " is not part of this grant"));
        long to = Requests.time(ctx, "to", api.clock().millis());
        long from = Requests.time(ctx, "from", to - 24 * HOUR);
        if (g.from() != null) {
            from = Math.max(from, g.from().toEpochMilli());
        }
        if (g.to() != null) {
            to = Math.min(to, g.to().toEpochMilli());
        }
        if (from >= to) {
            throw ApiException.forbidden("the range asked lies outside the granted period");
        }
        int points = Requests.integer(ctx, "points", 1000, 2, 10_000);
        if (g.aggregatedOnly()) {
            if (to - from < HOUR) {
                throw ApiException.badRequest("this grant shares hourly aggregates; ask for at least one hour");
            }
            points = (int) Math.max(2, Math.min(points, (to - from) / HOUR + 1));
        }
        History h = api.history().history(id, from, to, points);
        if (g.aggregatedOnly() && h.bucketMillis() < HOUR) {
            throw new IllegalStateException(
                    "aggregated-only grant would have served " + h.bucketMillis() + " ms buckets");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("channel", channelJson(granted.getKey(), granted.getValue()));
        out.put("from", Instant.ofEpochMilli(from).toString());
        out.put("to", Instant.ofEpochMilli(to).toString());
        out.put("bucket_seconds", h.bucketMillis() / 1000.0);
        out.put("columns", List.of("ts_ms", "avg", "min", "max", "count"));
        out.put(
                "points",
                h.points().stream()
                        .map(b -> new Object[] {b.start(), b.avg(), b.min(), b.max(), b.count()})
                        .toList());
        json(ctx, 200, out);
    }
}
