package io.meterbase.http;

import static io.meterbase.http.ControlRoutes.h;
import static io.meterbase.http.ControlRoutes.json;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.meterbase.core.auth.Principal;
import io.meterbase.core.model.Category;
import io.meterbase.core.model.Device;
import io.meterbase.core.model.Gateway;
import io.meterbase.core.registry.Registry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Gateways (seed 001: an administrator registers a gateway with its name, address and port and hands it a
 * generated key) and the names and categories of devices (seed 000: the customer names the node and says what it
 * is).
 */
final class GatewayRoutes {

    /** A gateway that uploads over HTTP counts as online while it uploaded within this window. */
    static final long ONLINE_WINDOW_MS = 5 * 60_000L;

    private static final Pattern REF = Pattern.compile("[A-Za-z0-9._:@-]{1,64}");

    private final ApiContext api;

    GatewayRoutes(ApiContext api) {
        this.api = api;
    }

    void register(Javalin app) {
        app.post("/api/v1/gateways", h(this::registerGateway));
        app.get("/api/v1/gateways", h(ctx -> {
            Principal p = Requests.authenticate(ctx, api.registry());
            List<Gateway> list;
            if (p.isOperator()) {
                long customer = Requests.longParam(ctx, "customer");
                list = customer != 0
                        ? api.registry().gateways(customer)
                        : api.registry().allGateways();
            } else {
                list = api.registry().gateways(p.customerId());
            }
            if (Pages.asked(ctx)) {
                json(
                        ctx,
                        200,
                        Pages.page(
                                ctx,
                                list,
                                g -> g.ref() + " " + g.name() + " #" + g.customerId() + " "
                                        + (g.address() == null ? "" : g.address()),
                                this::gatewayJson));
                return;
            }
            json(ctx, 200, list.stream().map(this::gatewayJson).toList());
        }));
        app.patch("/api/v1/devices/{ref}", h(this::renameDevice));
    }

    /** Registers a gateway for a customer and makes its key, shown once. */
    private void registerGateway(Context ctx) throws Exception {
        Requests.operator(ctx, api.registry());
        JsonNode b = ApiJson.MAPPER.readTree(ctx.body());
        Registry registry = api.registry();
        long customer = b.path("customer").asLong(0);
        if (registry.customer(customer).isEmpty()) {
            throw ApiException.badRequest("customer: no customer " + customer);
        }
        String name = b.path("name").asText("").trim();
        if (name.isEmpty() || name.length() > 100) {
            throw ApiException.badRequest("name: 1-100 characters");
        }
        String ref =
                b.path("ref").asText(name.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9._:@-]+", "-"));
        if (!REF.matcher(ref).matches()) {
            throw ApiException.badRequest("ref: 1-64 letters, digits or . _ : @ - (the name the gateway uploads as)");
        }
        if (registry.gateway(customer, ref).isPresent()) {
            throw new ApiException(409, "exists", "the customer already has a gateway '" + ref + "'");
        }
        String address = b.path("address").asText("").trim();
        int port = b.path("port").asInt(0);
        if (port < 0 || port > 65535) {
            throw ApiException.badRequest("port: within [0, 65535]");
        }
        long site = b.path("site").asLong(registry.defaultSite(customer).id());
        if (registry.site(site).filter(s -> s.customerId() == customer).isEmpty()) {
            throw ApiException.badRequest("site: the customer has no site " + site);
        }
        Gateway g = registry.registerGateway(customer, site, ref, name, address.isEmpty() ? null : address, port);
        // a key for this gateway only: it uploads through it, for the devices behind it
        Registry.CreatedKey key =
                registry.createKey(customer, io.meterbase.core.model.KeyScope.GATEWAY, ref, "gateway " + ref, false);
        Map<String, Object> out = gatewayJson(g);
        out.put(
                "key",
                Map.of(
                        "id",
                        key.key().id(),
                        "prefix",
                        key.key().prefix(),
                        "scope",
                        key.key().scope().key(),
                        "secret",
                        key.secret(),
                        "psk",
                        AccountRoutes.pskJson(api.devicePsk(), key.key())));
        out.put(
                "note",
                "the key is shown once; give it to the gateway now (the gateway agent reads MB_GATEWAY_KEY and --name "
                        + g.ref() + ")");
        json(ctx, 201, out);
    }

    private Map<String, Object> gatewayJson(Gateway g) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", g.id());
        m.put("customer", g.customerId());
        m.put("site", g.siteId());
        m.put("ref", g.ref());
        m.put("name", g.name());
        m.put("address", g.address());
        m.put("port", g.port());
        List<String> nodes = new ArrayList<>();
        boolean connected = false;
        long lastSeen = 0;
        for (Device d : api.registry().devices(g.customerId())) {
            if (d.gatewayId() != g.id()) {
                continue;
            }
            nodes.add(d.ref());
            connected |= api.presence()
                    .of(d.customerId(), d.ref())
                    .map(p -> p.online())
                    .orElse(false);
            for (var c : api.registry().channels(d.id())) {
                lastSeen = Math.max(
                        lastSeen,
                        api.live().latest(c.id()).map(r -> r.timestamp()).orElse(0L));
            }
        }
        m.put("devices", nodes);
        m.put(
                "last_seen",
                lastSeen == 0 ? null : java.time.Instant.ofEpochMilli(lastSeen).toString());
        // connected over MQTT or CoAP, or (HTTP uploads) heard from within the last few minutes
        boolean recent = lastSeen > 0 && api.clock().millis() - lastSeen < ONLINE_WINDOW_MS;
        m.put(
                "online",
                api.presence().of(g.customerId(), g.ref()).map(p -> p.online()).orElse(connected || recent));
        return m;
    }

    /** Renames a device or sets its category: the owner's own, or (operators) {@code ?customer=}'s. */
    private void renameDevice(Context ctx) throws Exception {
        long customer = ControlRoutes.customer(ctx, api);
        String ref = ctx.pathParam("ref");
        Device d = api.registry()
                .device(customer, ref)
                .orElseThrow(() -> ApiException.notFound("no device '" + ref + "'"));
        JsonNode b = ApiJson.MAPPER.readTree(ctx.body());
        String name = b.path("name").asText(d.name()).trim();
        if (name.isEmpty() || name.length() > 100) {
            throw ApiException.badRequest("name: 1-100 characters");
        }
        Category category = d.category();
        if (b.has("category")) {
            String text = b.get("category").asText("");
            category = Category.parse(text);
            if (category == Category.OTHER && !text.equalsIgnoreCase("other")) {
                throw ApiException.badRequest("category '" + text + "' is not one of "
                        + java.util.Arrays.stream(Category.values())
                                .map(Category::key)
                                .toList());
            }
        }
        Device changed = api.registry().updateDevice(d.withNameAndCategory(name, category));
        json(
                ctx,
                200,
                Map.of(
                        "ref",
                        changed.ref(),
                        "name",
                        changed.name(),
                        "category",
                        changed.category().key()));
    }
}
