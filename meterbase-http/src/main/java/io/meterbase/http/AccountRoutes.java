package io.meterbase.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.meterbase.core.auth.DevicePsk;
import io.meterbase.core.auth.Principal;
import io.meterbase.core.ingest.References;
import io.meterbase.core.model.ApiKey;
import io.meterbase.core.model.Customer;
import io.meterbase.core.model.GeoPosition;
import io.meterbase.core.model.KeyScope;
import io.meterbase.core.model.Role;
import io.meterbase.core.model.Site;
import io.meterbase.core.registry.Registry;
import io.meterbase.core.registry.Registry.CreatedKey;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Customers (operator only) and API keys (a customer's own, or any for an operator). */
final class AccountRoutes {

    private final ApiContext api;
    private final ObjectMapper mapper;

    AccountRoutes(ApiContext api, ObjectMapper mapper) {
        this.api = api;
        this.mapper = mapper;
    }

    void register(Javalin app) {
        app.post("/api/v1/customers", this::createCustomer);
        app.get("/api/v1/customers", this::listCustomers);
        app.get("/api/v1/me", this::me);
        app.post("/api/v1/keys", this::createKey);
        app.get("/api/v1/keys", this::listKeys);
        app.delete("/api/v1/keys/{id}", this::revokeKey);
        app.post("/api/v1/keys/{id}/rotate", this::rotateKey);
        app.post("/api/v1/keys/{id}/psk", this::keyPsk);
    }

    private JsonNode body(Context ctx) {
        try {
            JsonNode node = mapper.readTree(ctx.bodyAsBytes());
            if (node == null || !node.isObject()) {
                throw ApiException.badRequest("the body must be a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw ApiException.badRequest(
                    e instanceof com.fasterxml.jackson.core.JsonProcessingException j
                            ? io.meterbase.json.SnakeCaseJson.describe(j)
                            : "the body could not be read");
        }
    }

    private void createCustomer(Context ctx) {
        Requests.operator(ctx, api.registry());
        JsonNode b = body(ctx);
        String name = b.path("name").asText("");
        if (name.isBlank()) {
            throw ApiException.badRequest("name is required");
        }
        JsonNode s = b.path("site");
        GeoPosition position = null;
        ZoneId zone;
        try {
            if (s.has("lat") && s.has("lon")) {
                position = new GeoPosition(s.get("lat").asDouble(), s.get("lon").asDouble());
            }
            zone = ZoneId.of(s.path("zone").asText("UTC"));
        } catch (IllegalArgumentException | DateTimeException e) {
            throw ApiException.badRequest("site: " + e.getMessage());
        }
        Registry registry = api.registry();
        Customer customer = registry.createCustomer(
                name,
                s.path("name").asText(name),
                s.path("address").asText(null),
                position,
                s.path("community").asText("default"),
                zone);
        CreatedKey key = registry.createKey(customer.id(), Role.CUSTOMER, "first key");
        Map<String, Object> out = customerJson(customer);
        out.put("api_key", keyJson(key.key(), key.secret()));
        ctx.status(201).json(out);
    }

    /**
     * The customers, oldest first; with {@code ?q=} (words of the name, number, site, address or community),
     * {@code ?offset=} and {@code ?limit=} one page of them ({@link Pages}).
     */
    private void listCustomers(Context ctx) {
        Requests.operator(ctx, api.registry());
        List<Customer> all = api.registry().customers();
        if (Pages.asked(ctx)) {
            ctx.json(Pages.page(ctx, all, this::searchText, this::customerJson));
            return;
        }
        ctx.json(all.stream().map(this::customerJson).toList());
    }

    /** What a customer search looks in: the number, name, and each site's name, address and community. */
    private String searchText(Customer c) {
        StringBuilder t = new StringBuilder("#").append(c.id()).append(' ').append(c.name());
        for (Site s : api.registry().sites(c.id())) {
            t.append(' ').append(s.name()).append(' ').append(s.community());
            if (s.address() != null) {
                t.append(' ').append(s.address());
            }
        }
        return t.toString();
    }

    private void me(Context ctx) {
        Principal p = Requests.authenticate(ctx, api.registry());
        if (p.isOperator()) {
            ctx.json(Map.of("role", "operator"));
            return;
        }
        Customer c = api.registry().customer(p.customerId()).orElseThrow();
        Map<String, Object> out = customerJson(c);
        out.put("role", "customer");
        ctx.json(out);
    }

    private Map<String, Object> customerJson(Customer c) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", c.id());
        out.put("name", c.name());
        out.put("created_at", c.createdAt().toString());
        List<Map<String, Object>> sites = api.registry().sites(c.id()).stream()
                .map(AccountRoutes::siteJson)
                .toList();
        out.put("sites", sites);
        return out;
    }

    static Map<String, Object> siteJson(Site s) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", s.id());
        out.put("name", s.name());
        out.put("address", s.address());
        out.put("lat", s.position() == null ? null : s.position().latitude());
        out.put("lon", s.position() == null ? null : s.position().longitude());
        out.put("community", s.community());
        out.put("zone", s.zone().getId());
        return out;
    }

    /** The customer a key request is about: the caller's own, or (operators) the one named. */
    private long customerOf(Context ctx, Principal p, @Nullable JsonNode body) {
        return customerOf(ctx, api.registry(), p, body);
    }

    /** The customer a request is for: the caller's own, or the one an operator names. */
    static long customerOf(Context ctx, Registry registry, Principal p, @Nullable JsonNode body) {
        if (!p.isOperator()) {
            return p.customerId();
        }
        long id = body != null && body.has("customer_id")
                ? body.get("customer_id").asLong()
                : Requests.longParam(ctx, "customer");
        if (registry.customer(id).isEmpty()) {
            throw ApiException.badRequest("an operator names the customer: customer_id in the body or ?customer=");
        }
        return id;
    }

    /**
     * A new key: {@code scope} customer (the default), read_only, device (with {@code device}) or gateway (with
     * {@code gateway}) for a customer; admin, operator or support for operators (an admin only makes those).
     */
    private void createKey(Context ctx) {
        Principal p = Requests.authenticate(ctx, api.registry());
        JsonNode b = ctx.body().isBlank() ? mapper.createObjectNode() : body(ctx);
        String format = b.path("format").asText("meterbase");
        if (!format.equals("meterbase") && !format.equals("emoncms")) {
            throw ApiException.badRequest("format must be meterbase or emoncms (32 hex characters, for emonhub)");
        }
        KeyScope scope;
        try {
            scope = KeyScope.parse(b.path("scope").asText("customer"));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        long customer;
        if (scope.role() == Role.OPERATOR) {
            Requests.admin(ctx, api.registry());
            customer = 0;
        } else {
            customer = customerOf(ctx, p, b);
        }
        String target = scope == KeyScope.DEVICE
                ? b.path("device").asText(null)
                : scope == KeyScope.GATEWAY ? b.path("gateway").asText(null) : null;
        if (scope.uploadsOnly() && (target == null || target.isBlank())) {
            throw ApiException.badRequest(
                    "a " + scope.key() + " key names its " + scope.key() + ": \"" + scope.key() + "\": \"<ref>\"");
        }
        if (target != null && References.problem(scope.key(), target) != null) {
            throw ApiException.badRequest(References.problem(scope.key(), target));
        }
        CreatedKey key = api.registry()
                .createKey(customer, scope, target, b.path("label").asText(""), format.equals("emoncms"));
        Map<String, Object> out = keyJson(key.key(), key.secret());
        if (scope.uploadsOnly()) {
            out.put("psk", pskJson(api.devicePsk(), key.key()));
        }
        ctx.status(201).json(out);
    }

    /**
     * The DTLS pre-shared key of a working device or gateway key (CoAP): identity {@code k<id>} and key, derived, not
     * stored, so it can be asked again; it ends with the key.
     */
    private void keyPsk(Context ctx) {
        Principal p = Requests.authenticate(ctx, api.registry());
        long id = Requests.pathLong(ctx, "id");
        ApiKey key = manageable(ctx, p, id);
        if (!key.scope().uploadsOnly()) {
            throw ApiException.badRequest("only device and gateway keys have a pre-shared key");
        }
        if (api.registry().workingKey(id).isEmpty()) {
            throw new ApiException(409, "key_ended", "key " + id + " is revoked or expired");
        }
        ctx.status(201).json(pskJson(api.devicePsk(), key));
    }

    /** The PSK of a device or gateway key, as its creation and {@code POST /api/v1/keys/{id}/psk} show it. */
    static Map<String, Object> pskJson(DevicePsk psk, ApiKey key) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("identity", DevicePsk.keyIdentity(key.id()));
        out.put("key", psk.keyOfApiKey(key.id()));
        out.put("note", "DTLS pre-shared key for coaps:// uploads to /up; it ends with the API key; keep it secret");
        return out;
    }

    /** The keys of a customer, or (an admin, {@code ?operators=true}) the operators' keys. */
    private void listKeys(Context ctx) {
        Principal p = Requests.authenticate(ctx, api.registry());
        long customer;
        if ("true".equals(ctx.queryParam("operators"))) {
            Requests.admin(ctx, api.registry());
            customer = 0;
        } else {
            customer = customerOf(ctx, p, null);
        }
        ctx.json(api.registry().keys(customer).stream()
                .map(k -> keyJson(k, null))
                .toList());
    }

    /** The key of a path that the caller may manage: its customer's, or (an admin) an operator's. */
    private ApiKey manageable(Context ctx, Principal p, long id) {
        ApiKey key = api.registry().key(id).orElseThrow(() -> ApiException.notFound("no key " + id));
        if (key.role() == Role.OPERATOR) {
            if (!p.isOperator()) {
                throw ApiException.notFound("no key " + id);
            }
            Requests.admin(ctx, api.registry());
        } else if (!p.canAccess(key.customerId())) {
            throw ApiException.notFound("no key " + id);
        }
        return key;
    }

    private void revokeKey(Context ctx) {
        Principal p = Requests.authenticate(ctx, api.registry());
        long id = Requests.pathLong(ctx, "id");
        manageable(ctx, p, id);
        ctx.json(keyJson(api.registry().revokeKey(id).orElseThrow(), null));
    }

    /**
     * Rotates a key: a new key of the same scope, shown once, while the old one keeps working for {@code overlap}
     * (ISO-8601, 24 h by default, at most 30 days) so that devices can be given the new one.
     */
    private void rotateKey(Context ctx) {
        Principal p = Requests.authenticate(ctx, api.registry());
        long id = Requests.pathLong(ctx, "id");
        manageable(ctx, p, id);
        JsonNode b = ctx.body().isBlank() ? mapper.createObjectNode() : body(ctx);
        java.time.Duration overlap;
        try {
            overlap = java.time.Duration.parse(b.path("overlap").asText("PT24H"));
        } catch (java.time.format.DateTimeParseException e) {
            throw ApiException.badRequest("overlap: an ISO-8601 duration such as PT24H");
        }
        if (overlap.isNegative() || overlap.compareTo(java.time.Duration.ofDays(30)) > 0) {
            throw ApiException.badRequest("overlap: from PT0S to P30D");
        }
        CreatedKey fresh = api.registry()
                .rotateKey(id, overlap)
                .orElseThrow(() -> new ApiException(
                        409, "key_ended", "key " + id + " is revoked, or was rotated already (rotate its successor)"));
        Map<String, Object> out = keyJson(fresh.key(), fresh.secret());
        if (fresh.key().scope().uploadsOnly()) {
            out.put("psk", pskJson(api.devicePsk(), fresh.key()));
        }
        out.put("replaces", keyJson(api.registry().key(id).orElseThrow(), null));
        ctx.status(201).json(out);
    }

    private static Map<String, Object> keyJson(ApiKey k, @Nullable String secret) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", k.id());
        out.put("customer_id", k.customerId());
        out.put("label", k.label());
        out.put("prefix", k.prefix());
        out.put("scope", k.scope().key());
        out.put("target", k.target());
        out.put("created_at", k.createdAt().toString());
        out.put("revoked_at", k.revokedAt() == null ? null : k.revokedAt().toString());
        out.put("expires_at", k.expiresAt() == null ? null : k.expiresAt().toString());
        if (secret != null) {
            out.put("secret", secret);
            out.put("note", "the secret is shown once; only its hash is kept");
        }
        return out;
    }
}
