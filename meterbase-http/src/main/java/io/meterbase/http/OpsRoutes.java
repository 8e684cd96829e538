package io.meterbase.http;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.meterbase.core.health.Health;
import io.meterbase.core.store.QuarantineEntry;
import io.meterbase.core.store.StorageStats;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;

/** Health, Prometheus metrics, the OpenAPI document and the quarantine of rejected inputs. */
final class OpsRoutes {

    private final ApiContext api;

    OpsRoutes(ApiContext api) {
        this.api = api;
    }

    void register(Javalin app) {
        app.get("/health", this::health);
        app.get("/api/v1/node", ctx -> {
            Requests.admin(ctx, api.registry()); // how the node is set up is an admin's
            ctx.json(api.node().get());
        });
        app.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                .result(api.metrics().scrape()));
        app.get("/api/v1/openapi.json", this::openapi);
        app.get("/api/v1/quarantine", this::quarantine);
        app.get("/api/v1/rate-limits", ctx -> {
            Requests.operator(ctx, api.registry());
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("enabled", api.intake().ingest().limits().enabled());
            out.put("refused", api.intake().ingest().limits().refusedCounts());
            ctx.json(out);
        });
    }

    /** 200 while the server keeps readings (UP or DEGRADED), 503 when it cannot (DOWN); the checks say why. */
    private void health(Context ctx) {
        Health health = api.health().get();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("status", health.status().name());
        Map<String, Object> checks = new LinkedHashMap<>();
        for (Health.Check c : health.checks()) {
            Map<String, Object> check = new LinkedHashMap<>();
            check.put("status", c.status().name());
            check.put("detail", c.detail());
            check.putAll(new java.util.TreeMap<>(c.figures()));
            checks.put(c.name(), check);
        }
        out.put("checks", checks);
        out.put("time", api.clock().instant().toString());
        ctx.status(health.status() == Health.Status.DOWN ? 503 : 200);
        if ("true".equals(ctx.queryParam("storage"))) {
            StorageStats s = api.readings().stats();
            out.put("readings", s.readings());
            out.put("bytes_on_disk", s.bytesOnDisk());
        }
        ctx.json(out);
    }

    private void openapi(Context ctx) throws IOException {
        try (InputStream in = OpsRoutes.class.getResourceAsStream("openapi.json")) {
            if (in == null) {
                throw ApiException.notFound("the OpenAPI document is missing from this build");
            }
            ctx.contentType("application/json").result(in.readAllBytes());
        }
    }

    private void quarantine(Context ctx) {
        Requests.operator(ctx, api.registry());
        int limit = Requests.integer(ctx, "limit", 100, 1, 10_000);
        ctx.json(api.readings().quarantined(ctx.queryParam("reason"), limit).stream()
                .map(OpsRoutes::entryJson)
                .toList());
    }

    private static Map<String, Object> entryJson(QuarantineEntry e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("received_at", e.receivedAt().toString());
        m.put("source", e.source());
        m.put("customer_id", e.customerId());
        m.put("reason", e.reason());
        m.put("detail", e.detail());
        m.put("payload", e.payload());
        return m;
    }
}
