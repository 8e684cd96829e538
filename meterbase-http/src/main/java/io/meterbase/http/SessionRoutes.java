package io.meterbase.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.meterbase.core.auth.Principal;
import io.meterbase.identity.Accounts;
import io.meterbase.identity.Sessions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Sign-in for people: accounts with passwords (operators create them), a session cookie for the browser, CSRF
 * protection of every change made with that cookie, sign-out. API keys keep working as before; a request that
 * carries a key is never looked at as a browser request.
 */
final class SessionRoutes {

    private static final Set<String> UNSAFE = Set.of("POST", "PUT", "PATCH", "DELETE");

    private final ApiContext api;
    /** The signed-in person's username, for requests made with a session. */
    private static final String USERNAME = "meterbase.username";

    private final Accounts accounts;
    private final Sessions sessions;

    SessionRoutes(ApiContext api) {
        this.api = api;
        this.accounts = api.accounts();
        this.sessions = api.sessions();
    }

    void register(Javalin app) {
        app.before("/api/*", this::fromCookie);
        // first run: the first operator account, made from this machine or with an operator key
        app.get(
                "/api/v1/setup",
                ctx -> ctx.json(
                        Map.of("needed", !accounts.hasOperatorAccount(), "from_this_machine", fromThisMachine(ctx))));
        app.post("/api/v1/setup", ctx -> {
            if (!fromThisMachine(ctx) && Requests.presentedKey(ctx) == null) {
                throw ApiException.forbidden(
                        "first-run setup from another machine needs the operator key the first start printed");
            }
            if (Requests.presentedKey(ctx) != null || ctx.attribute(Requests.PRINCIPAL) != null) {
                Requests.admin(ctx, api.registry()); // whoever says who they are must be an admin
            }
            JsonNode b = body(ctx);
            try {
                Accounts.Account a = accounts.putFirstOperator(
                        b.path("username").asText(null), b.path("password").asText(null));
                ctx.status(201).json(Map.of("username", a.username(), "role", a.role(), "scope", "admin"));
            } catch (IllegalStateException e) {
                throw new ApiException(409, "set_up", e.getMessage());
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest(e.getMessage());
            }
        });
        // the accounts people sign in with, paged and searched (?q= username, role, scope or #customer)
        app.get("/api/v1/accounts", ctx -> {
            Requests.operator(ctx, api.registry());
            ctx.json(Pages.page(ctx, accounts.all(), SessionRoutes::searchText, SessionRoutes::accountJson));
        });
        app.delete("/api/v1/accounts/{username}", ctx -> {
            Requests.operator(ctx, api.registry());
            Accounts.Account a = accounts.get(ctx.pathParam("username"))
                    .orElseThrow(() -> ApiException.notFound("no account '" + ctx.pathParam("username") + "'"));
            if (a.customer() == 0) {
                Requests.admin(ctx, api.registry()); // operators' accounts are an admin's to remove
            }
            if (a.username().equals(ctx.attribute(USERNAME))) {
                throw new ApiException(409, "own_account", "you cannot remove the account you are signed in with");
            }
            accounts.remove(a.username());
            sessions.endAllOf(a.username());
            ctx.status(204);
        });
        app.post("/api/v1/accounts", ctx -> {
            Requests.operator(ctx, api.registry());
            JsonNode b = body(ctx);
            long customer = b.path("customer").asLong(0);
            if (customer == 0) {
                Requests.admin(ctx, api.registry()); // an operator account signs in as an admin
            }
            if (customer != 0 && api.registry().customer(customer).isEmpty()) {
                throw ApiException.notFound("no customer " + customer);
            }
            try {
                Accounts.Account a = accounts.put(
                        b.path("username").asText(null),
                        b.path("password").asText(null),
                        customer,
                        b.hasNonNull("scope")
                                ? io.meterbase.core.model.KeyScope.parse(
                                        b.get("scope").asText())
                                : null);
                ctx.status(201)
                        .json(Map.of(
                                "username",
                                a.username(),
                                "role",
                                a.role(),
                                "customer",
                                a.customer(),
                                "scope",
                                a.principal().scope().key()));
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest(e.getMessage());
            }
        });
        app.post("/api/v1/session", ctx -> {
            JsonNode b = body(ctx);
            String username = b.path("username").asText("");
            Principal principal =
                    switch (accounts.signIn(username, b.path("password").asText(null))) {
                        case Accounts.SignIn.SignedIn in -> in.principal();
                        case Accounts.SignIn.Refused in -> throw new ApiException(401, "unauthorized", in.reason());
                        case Accounts.SignIn.Locked in -> {
                            long wait = Math.max(
                                    1,
                                    Duration.between(api.clock().instant(), in.until())
                                            .toSeconds());
                            ctx.header("Retry-After", String.valueOf(wait));
                            throw new ApiException(429, "locked", in.reason() + " for " + wait + " s more");
                        }
                    };
            Sessions.Session s = sessions.start(principal, username.trim().toLowerCase(java.util.Locale.ROOT));
            ctx.header("Set-Cookie", cookie(s));
            ctx.json(describe(s));
        });
        app.get("/api/v1/session", ctx -> {
            Sessions.Session s = sessions.use(ctx.cookie(Sessions.COOKIE))
                    .orElseThrow(() -> new ApiException(401, "unauthorized", "not signed in"));
            ctx.json(describe(s));
        });
        // the signed-in person changes their own password: every session of the account ends, this browser gets a
        // new one
        app.put("/api/v1/session/password", ctx -> {
            String username = ctx.attribute(USERNAME);
            if (username == null) {
                if (Requests.presentedKey(ctx) == null) {
                    throw new ApiException(401, "unauthorized", "sign in to change your password");
                }
                Requests.authenticate(ctx, api.registry()); // a bad key is refused as everywhere
                throw new ApiException(
                        409, "no_account", "an API key has no password: sign in with your account to change it");
            }
            JsonNode b = body(ctx);
            Principal principal;
            try {
                principal = switch (accounts.changePassword(
                        username,
                        b.path("current_password").asText(null),
                        b.path("new_password").asText(null))) {
                    case Accounts.SignIn.SignedIn in -> in.principal();
                    // the session is fine, the password given is not: a 400, never a 401 or 403
                    case Accounts.SignIn.Refused in ->
                        throw new ApiException(
                                400,
                                "wrong_password",
                                "current_password: "
                                        + in.reason().replace("wrong username or password", "wrong password"));
                    case Accounts.SignIn.Locked in -> throw new ApiException(429, "locked", in.reason());
                };
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest(e.getMessage());
            }
            sessions.endAllOf(username);
            Sessions.Session s = sessions.start(principal, username);
            ctx.header("Set-Cookie", cookie(s));
            ctx.json(describe(s));
        });
        app.delete("/api/v1/session", ctx -> {
            sessions.end(ctx.cookie(Sessions.COOKIE));
            ctx.header("Set-Cookie", Sessions.COOKIE + "=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict");
            ctx.status(204);
        });
    }

    private static String cookie(Sessions.Session s) {
        return Sessions.COOKIE + "=" + s.id() + "; Path=/; Max-Age=" + Sessions.LONGEST.toSeconds()
                + "; HttpOnly; Secure; SameSite=Strict";
    }

    private static String searchText(Accounts.Account a) {
        return a.username() + " " + a.role() + " " + a.principal().scope().key() + " #" + a.customer();
    }

    private static Map<String, Object> accountJson(Accounts.Account a) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("username", a.username());
        m.put("role", a.role());
        m.put("customer", a.customer());
        m.put("scope", a.principal().scope().key());
        m.put("failures", a.failures());
        m.put("locked_until", a.lockedUntil());
        return m;
    }

    /**
     * A request without a key but with a session cookie acts as the signed-in person; a change (POST, PUT, PATCH,
     * DELETE) must carry the session's CSRF token, except signing in.
     */
    private void fromCookie(Context ctx) {
        if (ctx.header("Authorization") != null || ctx.header("X-API-Key") != null) {
            return;
        }
        String id = ctx.cookie(Sessions.COOKIE);
        if (id == null) {
            return;
        }
        boolean signingIn = ctx.method().name().equals("POST") && ctx.path().equals("/api/v1/session");
        if (signingIn) {
            return;
        }
        Sessions.Session s = sessions.use(id).orElse(null);
        if (s == null) {
            return;
        }
        if (UNSAFE.contains(ctx.method().name())
                && !java.security.MessageDigest.isEqual(
                        s.csrf().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                        String.valueOf(ctx.header(Sessions.CSRF_HEADER))
                                .getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
            throw ApiException.forbidden("a change made with a session needs its " + Sessions.CSRF_HEADER + " header");
        }
        ctx.attribute(Requests.PRINCIPAL, s.principal());
        ctx.attribute(USERNAME, s.username());
    }

    /**
     * Whether the request comes from this machine itself, not through a proxy on it (a proxy's requests carry the
     * forwarding headers).
     */
    private static boolean fromThisMachine(Context ctx) {
        try {
            return java.net.InetAddress.getByName(ctx.ip()).isLoopbackAddress()
                    && ctx.header("X-Forwarded-For") == null
                    && ctx.header("Forwarded") == null
                    && ctx.header("X-Real-IP") == null;
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    private static Map<String, Object> describe(Sessions.Session s) {
        Principal p = s.principal();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("username", s.username());
        out.put("role", p.isOperator() ? "operator" : "customer");
        out.put("customer", p.customerId());
        out.put("scope", p.scope().key());
        out.put("csrf_token", s.csrf());
        return out;
    }

    private static JsonNode body(Context ctx) {
        try {
            return ApiJson.MAPPER.readTree(ctx.body());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw ApiException.badRequest(io.meterbase.json.SnakeCaseJson.describe(e));
        }
    }
}
