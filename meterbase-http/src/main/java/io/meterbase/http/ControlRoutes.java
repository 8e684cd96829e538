package io.meterbase.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.meterbase.core.api.ServicesApi;
import io.meterbase.core.api.alarm.Alarm;
import io.meterbase.core.api.alarm.AlarmRule;
import io.meterbase.core.api.command.Command;
import io.meterbase.core.api.command.CommandStatus;
import io.meterbase.core.api.command.CommandType;
import io.meterbase.core.api.command.CommandsApi;
import io.meterbase.core.api.community.CommunityApi;
import io.meterbase.core.api.community.CommunitySettings;
import io.meterbase.core.api.community.Comparison;
import io.meterbase.core.api.community.Metric;
import io.meterbase.core.api.dr.Event;
import io.meterbase.core.api.dr.Program;
import io.meterbase.core.api.dr.Schedule;
import io.meterbase.core.api.tariff.BillsApi;
import io.meterbase.core.api.tariff.NoTariffException;
import io.meterbase.core.api.tariff.PricePoint;
import io.meterbase.core.api.tariff.Tariff;
import io.meterbase.core.api.tariff.TariffVersion;
import io.meterbase.core.api.tariff.TariffsApi;
import io.meterbase.core.auth.Principal;
import io.meterbase.core.query.Commodity;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Customer insight and control over HTTP: tariffs and prices, costs and bills, community comparison, grid state,
 * commands, schedules and demand response. Bodies and answers use the control services' JSON (snake_case,
 * ISO-8601 times).
 */
final class ControlRoutes {

    private static final TypeReference<List<PricePoint>> PRICE_POINTS = new TypeReference<>() {};

    private final ApiContext api;

    ControlRoutes(ApiContext api) {
        this.api = api;
    }

    private ServicesApi control() {
        return api.control();
    }

    void register(Javalin app) {
        // tariffs and prices (operators write; everyone authenticated reads)
        app.get("/api/v1/tariffs", h(ctx -> {
            Requests.authenticate(ctx, api.registry());
            json(ctx, 200, control().tariffs().all());
        }));
        app.post("/api/v1/tariffs", h(ctx -> {
            Requests.operator(ctx, api.registry());
            json(ctx, 201, control().tariffs().put(ApiJson.read(ctx.body(), Tariff.class)));
        }));
        app.get("/api/v1/tariffs/{id}", h(ctx -> {
            Requests.authenticate(ctx, api.registry());
            json(
                    ctx,
                    200,
                    control()
                            .tariffs()
                            .get(ctx.pathParam("id"))
                            .orElseThrow(() -> ApiException.notFound("no tariff " + ctx.pathParam("id"))));
        }));
        app.post("/api/v1/tariffs/{id}/versions", h(ctx -> {
            Requests.operator(ctx, api.registry());
            json(
                    ctx,
                    201,
                    control().tariffs().addVersion(ctx.pathParam("id"), ApiJson.read(ctx.body(), TariffVersion.class)));
        }));
        app.post("/api/v1/tariffs/{id}/prices", h(ctx -> {
            Requests.operator(ctx, api.registry());
            List<PricePoint> points = ApiJson.MAPPER.readValue(ctx.body(), PRICE_POINTS);
            json(ctx, 200, Map.of("stored", control().tariffs().postPrices(priceSeries(ctx), points)));
        }));
        app.get("/api/v1/tariffs/{id}/prices", h(ctx -> {
            Requests.authenticate(ctx, api.registry());
            long now = api.clock().millis();
            Instant from = Instant.ofEpochMilli(Requests.time(ctx, "from", now - 86_400_000L));
            Instant to = Instant.ofEpochMilli(Requests.time(ctx, "to", now + 86_400_000L));
            json(ctx, 200, control().tariffs().prices(priceSeries(ctx), from, to));
        }));
        app.put("/api/v1/customers/{id}/group", h(ctx -> {
            Requests.operator(ctx, api.registry());
            long customer = Requests.pathLong(ctx, "id");
            if (api.registry().customer(customer).isEmpty()) {
                throw ApiException.notFound("no customer " + customer);
            }
            String group = ApiJson.MAPPER.readTree(ctx.body()).path("group").asText(null);
            control().groups().assign(customer, group);
            json(ctx, 200, Map.of("customer", customer, "group", group));
        }));

        // costs and bills
        app.get("/api/v1/cost", h(ctx -> {
            long customer = customer(ctx);
            BillsApi.SoFar period = "billing_period".equals(ctx.queryParam("period"))
                    ? BillsApi.SoFar.BILLING_PERIOD
                    : BillsApi.SoFar.TODAY;
            json(ctx, 200, control().biller().soFar(customer, commodity(ctx), period));
        }));
        app.get("/api/v1/bill", h(ctx -> json(ctx, 200, askedBill(ctx, customer(ctx)))));

        app.get("/api/v1/bill.csv", h(ctx -> {
            io.meterbase.core.api.tariff.Bill bill = askedBill(ctx, customer(ctx));
            ctx.contentType("text/csv; charset=utf-8");
            ctx.header("Content-Disposition", "attachment; filename=\"" + billFile(bill) + ".csv\"");
            ctx.result(BillCsv.write(bill));
        }));
        app.get("/api/v1/bill.pdf", h(ctx -> {
            long customer = customer(ctx);
            io.meterbase.core.api.tariff.Bill bill = askedBill(ctx, customer);
            String name = api.registry().customer(customer).map(c -> c.name()).orElse("#" + customer);
            ctx.contentType("application/pdf");
            ctx.header("Content-Disposition", "attachment; filename=\"" + billFile(bill) + ".pdf\"");
            ctx.result(BillPdf.write(
                    bill, name, api.registry().defaultSite(customer).zone()));
        }));

        // what the installation says to everyone signed in (the demo's history loading, for one)
        app.get("/api/v1/notices", h(ctx -> {
            Requests.authenticate(ctx, api.registry());
            List<Map<String, String>> out = new java.util.ArrayList<>();
            control().notices().forEach((id, text) -> out.add(Map.of("id", id, "text", text)));
            json(ctx, 200, out);
        }));

        // community and grid
        app.get("/api/v1/community", h(ctx -> {
            long customer = customer(ctx);
            CommunityApi community = control().community();
            json(
                    ctx,
                    200,
                    new CommunityAnswer(
                            community.communityOf(customer).orElse(null),
                            community.minCustomers(),
                            community.compare(customer, Metric.POWER).orElse(null),
                            community.compare(customer, Metric.ENERGY_TODAY).orElse(null),
                            community.compare(customer, Metric.ENERGY_MONTH).orElse(null),
                            own(community.compare(customer, Metric.WATER_MONTH)),
                            own(community.compare(customer, Metric.GAS_MONTH)),
                            own(community.compare(customer, Metric.HEAT_MONTH))));
        }));
        app.get("/api/v1/grid", h(ctx -> {
            long customer = customer(ctx);
            json(ctx, 200, control().gridOf(customer).orElseThrow(() -> ApiException.notFound("no community")));
        }));
        app.get("/api/v1/communities/{name}/grid", h(ctx -> {
            Requests.operator(ctx, api.registry());
            json(ctx, 200, control().grid().state(ctx.pathParam("name")));
        }));
        app.put("/api/v1/communities/{name}", h(ctx -> {
            Requests.operator(ctx, api.registry());
            JsonNode b = ApiJson.MAPPER.readTree(ctx.body());
            CommunitySettings s = new CommunitySettings(
                    ctx.pathParam("name"),
                    b.hasNonNull("capacity_kw") ? b.get("capacity_kw").asDouble() : null,
                    b.hasNonNull("peak_at") ? b.get("peak_at").asDouble() : null,
                    b.hasNonNull("critical_at") ? b.get("critical_at").asDouble() : null);
            json(ctx, 200, control().grid().configure(s));
        }));

        // commands
        app.get("/api/v1/commands/signing-key", ctx -> ctx.contentType("application/x-pem-file")
                .result(control().commands().publicKeyPem()));
        app.post("/api/v1/devices/{ref}/commands", h(this::submitCommand));
        app.get("/api/v1/commands", h(ctx -> {
            long customer = customer(ctx);
            json(
                    ctx,
                    200,
                    control()
                            .commands()
                            .list(customer, ctx.queryParam("device"), Requests.integer(ctx, "limit", 100, 1, 10_000)));
        }));
        app.get("/api/v1/commands/{id}", h(ctx -> {
            long customer = customer(ctx);
            json(ctx, 200, command(customer, ctx.pathParam("id")));
        }));
        app.post("/api/v1/commands/{id}/ack", h(ctx -> {
            Principal p = Requests.authenticate(ctx, api.registry());
            if (p.isOperator()) {
                throw ApiException.forbidden("devices and gateways answer commands with the customer's key");
            }
            if (p.scope().uploadsOnly()
                    && control()
                            .commands()
                            .get(p.customerId(), ctx.pathParam("id"))
                            .filter(c -> reaches(p, c.deviceRef()))
                            .isEmpty()) {
                throw ApiException.notFound("no command " + ctx.pathParam("id"));
            }
            JsonNode b = ApiJson.MAPPER.readTree(ctx.body());
            CommandStatus status = status(b.path("status").asText(""));
            Boolean relay =
                    b.hasNonNull("relay") ? "on".equalsIgnoreCase(b.get("relay").asText()) : null;
            json(
                    ctx,
                    200,
                    control()
                            .commands()
                            .report(
                                    p.customerId(),
                                    ctx.pathParam("id"),
                                    status,
                                    b.path("detail").asText(null),
                                    relay)
                            .orElseThrow(() -> ApiException.notFound("no command " + ctx.pathParam("id"))));
        }));
        app.get("/api/v1/devices/{ref}/relay", h(ctx -> {
            long customer = customer(ctx);
            json(
                    ctx,
                    200,
                    control()
                            .commands()
                            .relay(customer, ctx.pathParam("ref"))
                            .orElseThrow(
                                    () -> ApiException.notFound("no relay state known for " + ctx.pathParam("ref"))));
        }));

        // schedules
        app.get(
                "/api/v1/schedules",
                h(ctx -> json(ctx, 200, control().schedules().of(customer(ctx)))));
        app.post("/api/v1/schedules", h(ctx -> {
            long customer = customer(ctx);
            Schedule s = ApiJson.read(ctx.body(), Schedule.class);
            json(
                    ctx,
                    201,
                    control()
                            .schedules()
                            .add(new Schedule(null, customer, s.device(), s.category(), s.days(), s.from(), s.to())));
        }));
        app.delete("/api/v1/schedules/{id}", h(ctx -> {
            if (!control().schedules().remove(customer(ctx), ctx.pathParam("id"))) {
                throw ApiException.notFound("no schedule " + ctx.pathParam("id"));
            }
            ctx.status(204);
        }));

        registerAlarms(app);

        // demand response
        app.get("/api/v1/dr/programs", h(ctx -> {
            Requests.authenticate(ctx, api.registry());
            json(ctx, 200, control().demandResponse().programs());
        }));
        app.post("/api/v1/dr/programs", h(ctx -> {
            Requests.operator(ctx, api.registry());
            json(ctx, 201, control().demandResponse().putProgram(ApiJson.read(ctx.body(), Program.class)));
        }));
        app.post("/api/v1/dr/programs/{id}/enrolments", h(ctx -> {
            long customer = customer(ctx);
            String device = ApiJson.MAPPER.readTree(ctx.body()).path("device").asText(null);
            control().demandResponse().enroll(customer, ctx.pathParam("id"), device);
            json(ctx, 201, control().demandResponse().enrolments(customer));
        }));
        app.delete("/api/v1/dr/programs/{id}/enrolments/{device}", h(ctx -> {
            long customer = customer(ctx);
            control().demandResponse().withdraw(customer, ctx.pathParam("id"), ctx.pathParam("device"));
            json(ctx, 200, control().demandResponse().enrolments(customer));
        }));
        app.get(
                "/api/v1/dr/enrolments",
                h(ctx -> json(ctx, 200, control().demandResponse().enrolments(customer(ctx)))));
        app.get("/api/v1/dr/events", h(ctx -> {
            Principal p = Requests.authenticate(ctx, api.registry());
            json(
                    ctx,
                    200,
                    control().demandResponse().events().stream()
                            .map(e -> seenBy(p, e))
                            .toList());
        }));
        app.post("/api/v1/dr/events", h(ctx -> {
            Requests.operator(ctx, api.registry());
            JsonNode b = ApiJson.MAPPER.readTree(ctx.body());
            Event e = control()
                    .demandResponse()
                    .createEvent(
                            b.path("program").asText(null),
                            instant(b, "start"),
                            instant(b, "end"),
                            b.hasNonNull("target_reduction_kw")
                                    ? b.get("target_reduction_kw").asDouble()
                                    : null);
            json(ctx, 201, e);
        }));
        app.get("/api/v1/dr/events/{id}", h(ctx -> {
            Principal p = Requests.authenticate(ctx, api.registry());
            json(
                    ctx,
                    200,
                    seenBy(
                            p,
                            control()
                                    .demandResponse()
                                    .event(ctx.pathParam("id"))
                                    .orElseThrow(() -> ApiException.notFound("no event " + ctx.pathParam("id")))));
        }));
        app.post("/api/v1/dr/events/{id}/cancel", h(ctx -> {
            Requests.operator(ctx, api.registry());
            json(ctx, 200, control().demandResponse().cancel(ctx.pathParam("id")));
        }));
        app.post("/api/v1/dr/events/{id}/override", h(ctx -> {
            long customer = customer(ctx);
            String device = ApiJson.MAPPER.readTree(ctx.body()).path("device").asText(null);
            json(
                    ctx,
                    200,
                    seenBy(
                            Requests.authenticate(ctx, api.registry()),
                            control().demandResponse().override(customer, ctx.pathParam("id"), device)));
        }));
        app.get("/api/v1/dr/events/{id}/reduction", h(ctx -> {
            Requests.operator(ctx, api.registry());
            json(ctx, 200, control().demandResponse().reduction(ctx.pathParam("id")));
        }));
    }

    /**
     * An event as a caller may see it: operators whole; a customer with only its own devices among those switched
     * and kept on ("customer/device"), never another customer's.
     */
    private static Event seenBy(Principal p, Event e) {
        if (p.isOperator()) {
            return e;
        }
        String mine = p.customerId() + "/";
        return e.with(
                e.status(),
                e.switched().stream().filter(m -> m.startsWith(mine)).collect(java.util.stream.Collectors.toSet()),
                e.overrides().stream().filter(m -> m.startsWith(mine)).collect(java.util.stream.Collectors.toSet()));
    }

    /** The bill of {@code ?from=&to=} (both needed) and {@code ?commodity=}, as JSON or a download. */
    private io.meterbase.core.api.tariff.Bill askedBill(Context ctx, long customer) {
        if (ctx.queryParam("from") == null || ctx.queryParam("to") == null) {
            throw ApiException.badRequest("a bill needs from and to");
        }
        Instant from = Instant.ofEpochMilli(Requests.time(ctx, "from", 0));
        Instant to = Instant.ofEpochMilli(Requests.time(ctx, "to", 0));
        String device = ctx.queryParam("device");
        if (device != null) {
            // a recharge bill: one sub-meter's use (a tenant's, a floor's) at the customer's tariff
            try {
                return control().biller().recharge(customer, device, commodity(ctx), from, to);
            } catch (java.util.NoSuchElementException e) {
                throw ApiException.notFound(String.valueOf(e.getMessage()));
            }
        }
        return control().biller().bill(customer, commodity(ctx), from, to);
    }

    /** A downloaded bill's file name, without its extension: meterbase-bill-2026-11-01. */
    private static String billFile(io.meterbase.core.api.tariff.Bill bill) {
        return "meterbase-bill-" + bill.from().toString().substring(0, 10);
    }

    /** The least severity asked for (none: any); refused with the words it accepts. */
    private static io.meterbase.core.api.alarm.@Nullable Severity severity(@Nullable String asked) {
        if (asked == null || asked.isBlank()) {
            return null;
        }
        try {
            return io.meterbase.core.api.alarm.Severity.valueOf(asked.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("severity: info, warning, alarm or critical, was '" + asked + "'");
        }
    }

    /** The alarm state asked for: none or {@code all} for every state; refused with the words it accepts. */
    private static Alarm.@Nullable State alarmState(@Nullable String asked) {
        if (asked == null || asked.equalsIgnoreCase("all")) {
            return null;
        }
        for (Alarm.State s : Alarm.State.values()) {
            if (s.name().equalsIgnoreCase(asked)) {
                return s;
            }
        }
        throw ApiException.badRequest("unknown alarm state '" + asked + "'; use active, acknowledged, cleared or all");
    }

    private void registerAlarms(Javalin app) {
        app.get("/api/v1/alarms", h(ctx -> {
            Alarm.State state = alarmState(ctx.queryParam("state"));
            json(
                    ctx,
                    200,
                    control()
                            .alarms()
                            .alarms(
                                    scope(ctx),
                                    state,
                                    severity(ctx.queryParam("severity")),
                                    ctx.queryParam("type"),
                                    Requests.integer(ctx, "limit", 100, 1, 10_000)));
        }));
        app.get("/api/v1/alarms/{id}", h(ctx -> json(ctx, 200, visibleAlarm(ctx))));
        app.post("/api/v1/alarms/{id}/acknowledge", h(ctx -> {
            Principal p = Requests.authenticate(ctx, api.registry());
            Alarm a = visibleAlarm(ctx);
            json(
                    ctx,
                    200,
                    control()
                            .alarms()
                            .acknowledge(a.id(), p.isOperator() ? "operator" : "customer " + p.customerId())
                            .orElseThrow());
        }));
        app.post(
                "/api/v1/alarms/{id}/clear",
                h(ctx -> json(
                        ctx,
                        200,
                        control().alarms().clear(visibleAlarm(ctx).id()).orElseThrow())));
        app.get(
                "/api/v1/alarm-rules",
                h(ctx -> json(ctx, 200, control().alarms().rules(scope(ctx)))));
        app.post("/api/v1/alarm-rules", h(ctx -> {
            Principal p = Requests.authenticate(ctx, api.registry());
            // an operator's rule is everyone's unless it names a customer
            Long owner = !p.isOperator()
                    ? Long.valueOf(p.customerId())
                    : ctx.queryParam("customer") == null ? null : Long.valueOf(customer(ctx));
            json(ctx, 201, control().alarms().addRule(ApiJson.read(ctx.body(), AlarmRule.class), owner));
        }));
        app.delete("/api/v1/alarm-rules/{id}", h(ctx -> {
            Principal p = Requests.authenticate(ctx, api.registry());
            if (!control().alarms().removeRule(ctx.pathParam("id"), p.isOperator() ? null : p.customerId())) {
                throw ApiException.notFound("no rule " + ctx.pathParam("id"));
            }
            ctx.status(204);
        }));
        app.post("/api/v1/events", h(ctx -> {
            Principal p = Requests.authenticate(ctx, api.registry());
            if (p.isOperator()) {
                throw ApiException.forbidden("devices report events with the customer's key");
            }
            JsonNode b = ApiJson.MAPPER.readTree(ctx.body());
            String device = b.path("device").asText(null);
            String type = b.path("type").asText(null);
            if (device == null || type == null) {
                throw ApiException.badRequest("an event needs device and type");
            }
            if (api.registry().device(p.customerId(), device).isEmpty() || !reaches(p, device)) {
                throw ApiException.notFound("no device " + device);
            }
            Instant at = b.hasNonNull("ts") ? instant(b, "ts") : api.clock().instant();
            json(
                    ctx,
                    200,
                    control()
                            .alarms()
                            .event(
                                    p.customerId(),
                                    device,
                                    type,
                                    b.path("on").asBoolean(true),
                                    at,
                                    b.path("detail").asText(null))
                            .map(Object.class::cast)
                            .orElse(Map.of("cleared", false)));
        }));
        // alarm e-mail: the caller's settings, or an operator's for one customer (?customer=) or the operators
        app.get("/api/v1/notifications", h(ctx -> json(ctx, 200, notificationsJson(scope(ctx)))));
        app.put("/api/v1/notifications", h(ctx -> {
            Long whose = scope(ctx);
            io.meterbase.core.api.alarm.NotificationsApi.Settings s =
                    ApiJson.MAPPER.readValue(ctx.body(), io.meterbase.core.api.alarm.NotificationsApi.Settings.class);
            control().notifications().put(whose, s);
            json(ctx, 200, notificationsJson(whose));
        }));
        // Web Push: the browser subscribes with the server's VAPID key, then posts its subscription here
        app.post("/api/v1/notifications/push-subscriptions", h(ctx -> {
            Long whose = scope(ctx);
            com.fasterxml.jackson.databind.JsonNode b = ApiJson.MAPPER.readTree(ctx.body());
            json(
                    ctx,
                    201,
                    control()
                            .notifications()
                            .subscribe(
                                    whose,
                                    b.path("endpoint").asText(null),
                                    b.at("/keys/p256dh").asText(null),
                                    b.at("/keys/auth").asText(null)));
        }));
        app.delete("/api/v1/notifications/push-subscriptions/{id}", h(ctx -> {
            if (!control().notifications().unsubscribe(scope(ctx), ctx.pathParam("id"))) {
                throw ApiException.notFound("no push subscription " + ctx.pathParam("id"));
            }
            ctx.status(204);
        }));
        app.get("/api/v1/webhooks", h(ctx -> json(ctx, 200, control().webhooks().of(scope(ctx)))));
        app.post("/api/v1/webhooks", h(ctx -> {
            Principal p = Requests.authenticate(ctx, api.registry());
            JsonNode b = ApiJson.MAPPER.readTree(ctx.body());
            List<String> types = new java.util.ArrayList<>();
            b.path("types").forEach(t -> types.add(t.asText()));
            json(
                    ctx,
                    201,
                    control()
                            .webhooks()
                            .add(
                                    p.isOperator() ? null : p.customerId(),
                                    b.path("url").asText(null),
                                    types,
                                    severity(b.path("min_severity").asText(null))));
        }));
        app.post("/api/v1/webhooks/{id}/secret", h(ctx -> {
            Principal p = Requests.authenticate(ctx, api.registry());
            json(
                    ctx,
                    201,
                    control()
                            .webhooks()
                            .newSecret(ctx.pathParam("id"), p.isOperator() ? null : p.customerId())
                            .orElseThrow(() -> ApiException.notFound("no webhook " + ctx.pathParam("id"))));
        }));
        app.delete("/api/v1/webhooks/{id}", h(ctx -> {
            Principal p = Requests.authenticate(ctx, api.registry());
            if (!control().webhooks().remove(ctx.pathParam("id"), p.isOperator() ? null : p.customerId())) {
                throw ApiException.notFound("no webhook " + ctx.pathParam("id"));
            }
            ctx.status(204);
        }));
    }

    /**
     * Whether a device or gateway key reaches a device: a device key its own device, a gateway key the devices
     * registered behind its gateway; other keys every device of their customer.
     */
    private boolean reaches(Principal p, String deviceRef) {
        return switch (p.scope()) {
            case DEVICE -> deviceRef.equals(p.target());
            case GATEWAY -> {
                long gateway = api.registry()
                        .gateway(p.customerId(), java.util.Objects.requireNonNull(p.target()))
                        .map(g -> g.id())
                        .orElse(-1L);
                yield api.registry()
                        .device(p.customerId(), deviceRef)
                        .map(d -> d.gatewayId() == gateway)
                        .orElse(false);
            }
            default -> true;
        };
    }

    /** The settings with whether the server can send e-mail at all. */
    private Map<String, Object> notificationsJson(@Nullable Long whose) {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        out.put("customer_id", whose);
        out.put("settings", control().notifications().of(whose));
        out.put(
                "can_send",
                control().notifications().canSend()); // false: notifications.smtp.host is not set on this server
        out.put("push_key", control().notifications().pushKey());
        out.put("push_subscriptions", control().notifications().pushSubscriptions(whose));
        return out;
    }

    /** Whose alarms, rules and webhooks: the caller's own, or for operators one customer's or (null) all. */
    private @Nullable Long scope(Context ctx) {
        Principal p = Requests.authenticate(ctx, api.registry());
        if (!p.isOperator()) {
            return p.customerId();
        }
        return ctx.queryParam("customer") == null ? null : customer(ctx);
    }

    private Alarm visibleAlarm(Context ctx) {
        Long scope = scope(ctx);
        return control()
                .alarms()
                .alarm(ctx.pathParam("id"))
                .filter(a -> scope == null || a.customerId() == scope)
                .orElseThrow(() -> ApiException.notFound("no alarm " + ctx.pathParam("id")));
    }

    private void submitCommand(Context ctx) throws Exception {
        Principal p = Requests.authenticate(ctx, api.registry());
        long customer = customer(ctx);
        JsonNode b = ApiJson.MAPPER.readTree(ctx.body());
        CommandType type;
        try {
            type = CommandType.valueOf(b.path("type").asText("").toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("type must be one of relay_on, relay_off, relay_toggle, request_readings,"
                    + " set_interval, set_threshold, connect, disconnect");
        }
        if (type.signed() && !p.isOperator()) {
            throw ApiException.forbidden("remote connect and disconnect are for the utility's operators");
        }
        Map<String, Object> params = b.has("params")
                ? ApiJson.MAPPER.convertValue(b.get("params"), new TypeReference<Map<String, Object>>() {})
                : null;
        Duration ttl = b.hasNonNull("ttl_seconds")
                ? Duration.ofSeconds(b.get("ttl_seconds").asLong())
                : null;
        Command c = control()
                .commands()
                .submit(new CommandsApi.Request(
                        customer,
                        ctx.pathParam("ref"),
                        type,
                        params,
                        p.isOperator() ? "operator" : "customer",
                        ttl,
                        b.hasNonNull("not_before") ? instant(b, "not_before") : null));
        json(ctx, 201, c);
    }

    private Command command(long customer, String id) {
        return control().commands().get(customer, id).orElseThrow(() -> ApiException.notFound("no command " + id));
    }

    private static CommandStatus status(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "acknowledged" -> CommandStatus.ACKNOWLEDGED;
            case "done" -> CommandStatus.DONE;
            case "failed" -> CommandStatus.FAILED;
            default -> throw ApiException.badRequest("status must be acknowledged, done or failed");
        };
    }

    private static Instant instant(JsonNode b, String field) {
        try {
            return Instant.parse(b.path(field).asText(""));
        } catch (java.time.format.DateTimeParseException e) {
            throw ApiException.badRequest(field + " must be an ISO-8601 time such as 2026-11-21T18:00:00Z");
        }
    }

    private static Commodity commodity(Context ctx) {
        return commodity(ctx.queryParam("commodity"));
    }

    /** A commodity named in a request (electricity when none is). */
    static Commodity commodity(@Nullable String text) {
        return text == null
                ? Commodity.ELECTRICITY
                : Commodity.parse(text)
                        .orElseThrow(
                                () -> ApiException.badRequest("commodity: electricity, water, gas, heat or cooling"));
    }

    /** A tariff's posted prices: of its import, or with {@code ?direction=export} of its export (feed-in). */
    private static String priceSeries(Context ctx) {
        String direction = ctx.queryParam("direction");
        if (direction == null || direction.equals("import")) {
            return ctx.pathParam("id");
        }
        if (direction.equals("export")) {
            return ctx.pathParam("id") + TariffsApi.EXPORT;
        }
        throw ApiException.badRequest("direction: import or export, was '" + direction + "'");
    }

    /** The customer a request is about: the caller's own, or for operators the {@code customer} parameter. */
    private long customer(Context ctx) {
        return customer(ctx, api);
    }

    /** The customer a request is about: the caller's own, or for operators the {@code customer} parameter. */
    static long customer(Context ctx, ApiContext api) {
        Principal p = Requests.authenticate(ctx, api.registry());
        if (!p.isOperator()) {
            return p.customerId();
        }
        long customer = Requests.longParam(ctx, "customer");
        if (customer == 0) {
            throw ApiException.badRequest("operators name the customer: ?customer=<id>");
        }
        if (api.registry().customer(customer).isEmpty()) {
            throw ApiException.notFound("no customer " + customer);
        }
        return customer;
    }

    static void json(Context ctx, int status, Object value) {
        ctx.status(status).contentType("application/json").result(ApiJson.write(value));
    }

    /** Invalid input from the control services becomes a 400 (or 409 when no tariff applies). */
    interface Body {
        void handle(Context ctx) throws Exception;
    }

    static Handler h(Body body) {
        return ctx -> {
            try {
                body.handle(ctx);
            } catch (NoTariffException e) {
                throw new ApiException(409, "no_tariff", e.getMessage());
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw ApiException.badRequest(io.meterbase.json.SnakeCaseJson.describe(e));
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest(e.getMessage());
            }
        };
    }

    /** A customer's community and how they compare in it; a comparison is absent when the customer has none. */
    record CommunityAnswer(
            @Nullable String community,
            int minCustomers,

            @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable
            Comparison power,

            @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable
            Comparison energyToday,

            @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable
            Comparison energyMonth,

            // water, gas and heat this month: only for customers with a meter of them
            @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable
            Comparison waterMonth,

            @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable
            Comparison gasMonth,

            @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable
            Comparison heatMonth) {}

    /** A comparison of the customer's own figure; none when the customer has no figure of it (no such meter). */
    private static @Nullable Comparison own(java.util.Optional<Comparison> c) {
        return c.filter(x -> x.value() != null || (x.withheld() != null && x.customers() > 0))
                .orElse(null);
    }
}
