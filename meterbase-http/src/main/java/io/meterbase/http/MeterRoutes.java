package io.meterbase.http;

import static io.meterbase.http.ControlRoutes.h;
import static io.meterbase.http.ControlRoutes.json;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.meterbase.core.api.meters.MetersApi;
import io.meterbase.core.model.Device;
import io.meterbase.core.model.GeoPosition;
import io.meterbase.core.model.Site;
import io.meterbase.core.query.Commodity;
import io.meterbase.core.query.ConsumptionService.Interval;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * Sites, sub-meters, virtual meters and district balances over HTTP. A customer manages their own (operators name the
 * customer with {@code ?customer=}); district balances are the operators'.
 */
final class MeterRoutes {

    private static final long DAY = 86_400_000L;

    private final ApiContext api;

    MeterRoutes(ApiContext api) {
        this.api = api;
    }

    private MetersApi meters() {
        return api.control().meters();
    }

    void register(Javalin app) {
        // sites: a customer may have several (a home, a holiday flat, a shop), each with its community and zone
        app.get("/api/v1/sites", h(ctx -> {
            long customer = ControlRoutes.customer(ctx, api);
            json(
                    ctx,
                    200,
                    api.registry().sites(customer).stream()
                            .map(MeterRoutes::site)
                            .toList());
        }));
        app.post("/api/v1/sites", h(ctx -> {
            long customer = ControlRoutes.customer(ctx, api);
            JsonNode b = body(ctx);
            ZoneId zone;
            try {
                zone = ZoneId.of(b.path("zone").asText("UTC"));
            } catch (java.time.DateTimeException e) {
                throw ApiException.badRequest("zone: a time zone such as Europe/Madrid, was '"
                        + b.path("zone").asText() + "'");
            }
            // the community a site is compared, balanced and enrolled in is the utility's to say: a customer's new
            // site is in the community of its first one
            String community = b.hasNonNull("community") ? b.get("community").asText() : null;
            if (!Requests.authenticate(ctx, api.registry()).isOperator()) {
                String own = api.registry().defaultSite(customer).community();
                if (community != null && !community.equals(own)) {
                    throw ApiException.forbidden(
                            "community: an operator puts a site in another community than '" + own + "'");
                }
                community = own;
            }
            if (community == null || community.isBlank()) {
                throw ApiException.badRequest("community is required");
            }
            GeoPosition position = b.hasNonNull("latitude") && b.hasNonNull("longitude")
                    ? new GeoPosition(
                            b.get("latitude").asDouble(), b.get("longitude").asDouble())
                    : null;
            Site s = api.registry()
                    .createSite(
                            customer,
                            text(b, "name"),
                            b.hasNonNull("address") ? b.get("address").asText() : null,
                            position,
                            community,
                            zone);
            json(ctx, 201, site(s));
        }));
        // a device moves to another of the customer's sites
        app.put("/api/v1/devices/{ref}/site", h(ctx -> {
            long customer = ControlRoutes.customer(ctx, api);
            Device d = device(customer, ctx.pathParam("ref"));
            long site = body(ctx).path("site").asLong(0);
            if (api.registry()
                    .site(site)
                    .filter(s -> s.customerId() == customer)
                    .isEmpty()) {
                throw ApiException.notFound("no site " + site + " of this customer");
            }
            Device moved =
                    new Device(d.id(), d.customerId(), site, d.gatewayId(), d.ref(), d.name(), d.type(), d.category());
            api.registry().updateDevice(moved);
            json(ctx, 200, Map.of("ref", moved.ref(), "site", moved.siteId()));
        }));

        // sub-meters: a device under its main meter; the tree with the untracked rest
        app.put("/api/v1/devices/{ref}/parent", h(ctx -> {
            long customer = ControlRoutes.customer(ctx, api);
            JsonNode b = body(ctx);
            String parent = b.hasNonNull("parent") ? b.get("parent").asText() : null;
            found(() -> meters().setParent(customer, ctx.pathParam("ref"), parent));
            json(ctx, 200, meters().parents(customer));
        }));
        app.get("/api/v1/meters/parents", h(ctx -> json(ctx, 200, meters().parents(ControlRoutes.customer(ctx, api)))));
        app.get("/api/v1/meters/tree", h(ctx -> {
            long customer = ControlRoutes.customer(ctx, api);
            String meter = ctx.queryParam("meter");
            if (meter == null || meter.isBlank()) {
                throw ApiException.badRequest("meter: the reference of the meter whose sub-meters to show");
            }
            Commodity commodity = ControlRoutes.commodity(ctx.queryParam("commodity"));
            Interval interval = interval(ctx);
            long to = Requests.time(ctx, "to", api.clock().millis());
            long from = Requests.time(ctx, "from", to - 7 * DAY);
            List<Map<String, Object>> points = new ArrayList<>();
            for (MetersApi.TreePoint p : found(() -> meters().tree(customer, meter, commodity, interval, from, to))) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("start", Instant.ofEpochMilli(p.periodStart()).toString());
                m.put("meter", p.meter());
                m.put("sub_meters", p.subMeters());
                m.put("sub_metered", p.subMetered());
                m.put("untracked", p.untracked());
                m.put("excess", p.excess());
                if (p.excess() != null) {
                    m.put("flag", "sub_meters_exceed_meter");
                }
                m.put("estimated", p.estimated());
                points.add(m);
            }
            json(ctx, 200, Map.of("meter", meter, "unit", commodity.unit().symbol(), "points", points));
        }));

        // virtual meters: sums and differences of other meters
        app.get(
                "/api/v1/virtual-meters",
                h(ctx -> json(ctx, 200, meters().virtualMeters(ControlRoutes.customer(ctx, api)))));
        app.post("/api/v1/virtual-meters", h(ctx -> {
            long customer = ControlRoutes.customer(ctx, api);
            MetersApi.VirtualMeter v = ApiJson.read(ctx.body(), MetersApi.VirtualMeter.class);
            json(ctx, 201, found(() -> meters().putVirtualMeter(customer, v)));
        }));
        app.delete("/api/v1/virtual-meters/{id}", h(ctx -> {
            if (!meters().removeVirtualMeter(ControlRoutes.customer(ctx, api), ctx.pathParam("id"))) {
                throw ApiException.notFound("no virtual meter '" + ctx.pathParam("id") + "'");
            }
            ctx.status(204);
        }));
        app.get("/api/v1/virtual-meters/{id}/energy", h(ctx -> {
            long customer = ControlRoutes.customer(ctx, api);
            Interval interval = interval(ctx);
            long to = Requests.time(ctx, "to", api.clock().millis());
            long from = Requests.time(ctx, "from", to - 7 * DAY);
            List<Map<String, Object>> points = new ArrayList<>();
            for (MetersApi.Amount a :
                    found(() -> meters().virtualMeter(customer, ctx.pathParam("id"), interval, from, to))) {
                points.add(Map.of(
                        "start", Instant.ofEpochMilli(a.periodStart()).toString(),
                        "amount", a.amount(),
                        "estimated", a.estimated()));
            }
            json(ctx, 200, Map.of("id", ctx.pathParam("id"), "points", points));
        }));

        // district and feeder balances (operators)
        app.get("/api/v1/balances", h(ctx -> {
            Requests.operator(ctx, api.registry());
            json(ctx, 200, meters().balances());
        }));
        app.put("/api/v1/balances/{community}", h(ctx -> {
            Requests.operator(ctx, api.registry());
            JsonNode b = body(ctx);
            MetersApi.BalanceSettings s = new MetersApi.BalanceSettings(
                    ctx.pathParam("community"),
                    b.path("supply_customer").asLong(0),
                    text(b, "supply_device"),
                    ControlRoutes.commodity(
                            b.hasNonNull("commodity") ? b.get("commodity").asText() : null),
                    alarmPercent(b));
            json(ctx, 200, found(() -> meters().putBalance(s)));
        }));
        app.get("/api/v1/balances/{community}", h(ctx -> {
            Requests.operator(ctx, api.registry());
            long to = Requests.time(ctx, "to", api.clock().millis());
            long from = Requests.time(ctx, "from", to - 7 * DAY);
            String community = ctx.pathParam("community");
            List<Map<String, Object>> days = new ArrayList<>();
            for (MetersApi.BalanceDay d : found(() -> meters().balance(community, from, to))) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("day", Instant.ofEpochMilli(d.dayStart()).toString());
                m.put("supply", d.supply());
                m.put("metered", d.metered());
                m.put("losses", d.losses());
                m.put("losses_percent", d.lossesPercent());
                m.put("meters", d.meters());
                m.put("missing", d.missing());
                m.put("complete", d.complete());
                days.add(m);
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("community", community);
            out.put("settings", meters().balanceSettings(community).orElse(null));
            out.put("days", days);
            json(ctx, 200, out);
        }));
    }

    /** The losses above which a balance alarms: a number of percent from 0 to 100, or none. */
    private static java.math.@org.jspecify.annotations.Nullable BigDecimal alarmPercent(JsonNode b) {
        JsonNode v = b.get("alarm_above_percent");
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isNumber()
                || v.decimalValue().signum() < 0
                || v.decimalValue().compareTo(java.math.BigDecimal.valueOf(100)) > 0) {
            throw ApiException.badRequest("alarm_above_percent: a number from 0 to 100, was " + v);
        }
        return v.decimalValue();
    }

    private static Map<String, Object> site(Site s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", s.id());
        m.put("name", s.name());
        m.put("address", s.address());
        m.put("community", s.community());
        m.put("zone", s.zone().getId());
        return m;
    }

    private Device device(long customer, String ref) {
        return api.registry().device(customer, ref).orElseThrow(() -> ApiException.notFound("no device '" + ref + "'"));
    }

    private static Interval interval(Context ctx) {
        String text = ctx.queryParam("interval");
        if (text == null || text.isBlank()) {
            return Interval.DAY;
        }
        try {
            return Interval.valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("interval '" + text + "' is not one of hour, day, month");
        }
    }

    private static String text(JsonNode b, String field) {
        String v = b.hasNonNull(field) ? b.get(field).asText() : "";
        if (v.isBlank()) {
            throw ApiException.badRequest(field + " is required");
        }
        return v;
    }

    private static JsonNode body(Context ctx) throws com.fasterxml.jackson.core.JsonProcessingException {
        JsonNode b = ApiJson.MAPPER.readTree(ctx.body().isBlank() ? "{}" : ctx.body());
        if (!b.isObject()) {
            throw ApiException.badRequest("the body is a JSON object");
        }
        return b;
    }

    /** Runs a call whose "no such thing" is a 404. */
    private static <T> T found(java.util.concurrent.Callable<T> call) throws Exception {
        try {
            return call.call();
        } catch (NoSuchElementException e) {
            throw ApiException.notFound(String.valueOf(e.getMessage()));
        }
    }

    private static void found(Runnable call) {
        try {
            call.run();
        } catch (NoSuchElementException e) {
            throw ApiException.notFound(String.valueOf(e.getMessage()));
        }
    }
}
