package io.meterbase.http;

import static io.meterbase.http.ControlRoutes.h;
import static io.meterbase.http.ControlRoutes.json;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.meterbase.core.api.analytics.AnalyticsApi;
import io.meterbase.core.api.analytics.ClustersAnswer;
import io.meterbase.core.api.analytics.ForecastAnswer;
import io.meterbase.core.api.analytics.IncidentAnswer;
import io.meterbase.core.auth.Principal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Forecasts, incidents and customer clusters over HTTP. Customers see their own meters, incidents and cluster;
 * operators see everything, community totals and the clustering as a whole, and can run the analytics at once.
 */
final class AnalyticsRoutes {

    private final ApiContext api;

    AnalyticsRoutes(ApiContext api) {
        this.api = api;
    }

    private AnalyticsApi analytics() {
        return api.analytics();
    }

    void register(Javalin app) {
        app.get("/api/v1/forecasts", h(ctx -> {
            long customer = ControlRoutes.customer(ctx, api);
            List<ForecastAnswer> meters = analytics().forecastsOf(customer);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("customer", customer);
            double total = 0;
            for (ForecastAnswer f : meters) {
                total += f.total();
            }
            out.put("next_24h_total", Math.round(total * 1000) / 1000.0);
            out.put("unit", "Wh");
            out.put("meters", meters);
            analytics().waitingFor().ifPresent(w -> out.put("waiting_for", w));
            json(ctx, 200, out);
        }));
        app.get("/api/v1/devices/{ref}/forecast", h(ctx -> {
            long customer = ControlRoutes.customer(ctx, api);
            String ref = ctx.pathParam("ref");
            if (api.registry().device(customer, ref).isEmpty()) {
                throw ApiException.notFound("no device " + ref);
            }
            json(ctx, 200, analytics().forecastOf(customer, ref).orElseThrow(() -> notYet(ref)));
        }));
        app.get("/api/v1/communities/{name}/forecast", h(ctx -> {
            Requests.operator(ctx, api.registry());
            String name = ctx.pathParam("name");
            json(ctx, 200, analytics().communityForecast(name).orElseThrow(() -> notYet("community " + name)));
        }));

        app.get("/api/v1/incidents", h(ctx -> {
            Long customer = scope(ctx);
            boolean all = "all".equals(ctx.queryParam("state"));
            json(ctx, 200, analytics().incidents(customer, !all, Requests.integer(ctx, "limit", 100, 1, 10_000)));
        }));
        app.get("/api/v1/incidents/{id}", h(ctx -> {
            Long customer = scope(ctx);
            IncidentAnswer i = analytics()
                    .incident(ctx.pathParam("id"))
                    .filter(x -> customer == null || x.customer() == customer)
                    .orElseThrow(() -> ApiException.notFound("no incident " + ctx.pathParam("id")));
            json(ctx, 200, i);
        }));

        app.get("/api/v1/clusters", h(ctx -> {
            Requests.operator(ctx, api.registry());
            json(
                    ctx,
                    200,
                    analytics()
                            .clusters()
                            .orElseThrow(() -> ApiException.notFound(
                                    "no clustering yet: it needs 6 customers with two weeks of data")));
        }));
        app.get("/api/v1/cluster", h(ctx -> {
            long customer = ControlRoutes.customer(ctx, api);
            ClustersAnswer.Group g = analytics()
                    .clusterOf(customer)
                    .orElseThrow(() -> ApiException.notFound(
                            "customer " + customer + " is in no cluster yet (two weeks of data are needed)"));
            ClustersAnswer all = analytics().clusters().orElseThrow();
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("customer", customer);
            out.put("cluster", g);
            out.put("of_clusters", all.k());
            out.put("generated_at", all.generatedAt());
            json(ctx, 200, out);
        }));

        app.post("/api/v1/analytics/run", h(ctx -> {
            Requests.operator(ctx, api.registry());
            json(ctx, 200, analytics().runNow("true".equals(ctx.queryParam("retrain"))));
        }));
        app.get("/api/v1/analytics", h(ctx -> {
            Requests.operator(ctx, api.registry());
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("last_run", analytics().lastRun().orElse(null));
            out.put("models_trained_at", analytics().trainedAt().orElse(null));
            out.put("waiting_for", analytics().waitingFor().orElse(null));
            json(ctx, 200, out);
        }));
    }

    /** Incidents: a customer's own; for operators all, or one customer's with {@code ?customer=}. */
    private @Nullable Long scope(Context ctx) {
        Principal p = Requests.authenticate(ctx, api.registry());
        if (!p.isOperator()) {
            return p.customerId();
        }
        long customer = Requests.longParam(ctx, "customer");
        return customer == 0 ? null : customer;
    }

    private ApiException notYet(String what) {
        String why = analytics().waitingFor().orElse("forecasts are made every hour");
        return ApiException.notFound("no forecast for " + what + " yet: " + why);
    }
}
