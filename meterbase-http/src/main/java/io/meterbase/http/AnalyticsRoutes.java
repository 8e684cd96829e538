package io.meterbase.http;

import static io.meterbase.http.ControlRoutes.h;
import static io.meterbase.http.ControlRoutes.json;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.meterbase.core.api.analytics.AnalyticsApi;
import io.meterbase.core.api.analytics.ClustersAnswer;
import io.meterbase.core.api.analytics.ForecastAnswer;
import io.meterbase.core.api.analytics.IncidentAnswer;
import io.meterbase.core.api.analytics.RunAnswer;
import io.meterbase.core.auth.Principal;
import java.time.Instant;
import java.util.List;
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
            double total = 0;
            for (ForecastAnswer f : meters) {
                total += f.total();
            }
            json(
                    ctx,
                    200,
                    new Forecasts(
                            customer,
                            Math.round(total * 1000) / 1000.0,
                            "Wh",
                            meters,
                            analytics().waitingFor().orElse(null)));
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
            json(ctx, 200, new CustomerCluster(customer, g, all.k(), all.generatedAt()));
        }));

        app.post("/api/v1/analytics/run", h(ctx -> {
            Requests.operator(ctx, api.registry());
            json(ctx, 200, analytics().runNow("true".equals(ctx.queryParam("retrain"))));
        }));
        app.get("/api/v1/analytics", h(ctx -> {
            Requests.operator(ctx, api.registry());
            json(
                    ctx,
                    200,
                    new Status(
                            analytics().lastRun().orElse(null),
                            analytics().trainedAt().orElse(null),
                            analytics().waitingFor().orElse(null)));
        }));
    }

    /** A customer's forecasts for the next 24 hours, one per meter, and their total. */
    record Forecasts(
            long customer,
            @JsonProperty("next_24h_total") double next24hTotal,
            String unit,
            List<ForecastAnswer> meters,

            @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable
            String waitingFor) {}

    /** The cluster a customer's daily profile falls in. */
    record CustomerCluster(long customer, ClustersAnswer.Group cluster, int ofClusters, Instant generatedAt) {}

    /** The analytics' last run, when the models were trained, and what they still wait for (each may be null). */
    record Status(
            @Nullable RunAnswer lastRun,
            @Nullable Instant modelsTrainedAt,
            @Nullable String waitingFor) {}

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
