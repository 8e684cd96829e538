package io.meterbase.http;

import io.javalin.http.Context;
import io.meterbase.core.auth.AuthResult;
import io.meterbase.core.auth.Principal;
import io.meterbase.core.ingest.Origin;
import io.meterbase.core.registry.Registry;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** Helpers for reading requests: credentials, bounded bodies, times and numbers from query parameters. */
final class Requests {

    static final String PRINCIPAL = "meterbase.principal";
    private static final Set<String> KEY_PARAMS = Set.of("key", "api_key", "apikey", "token", "access_token");

    private Requests() {}

    /** The key presented in {@code Authorization: Bearer} or {@code X-API-Key}; never from the URL. */
    static @Nullable String presentedKey(Context ctx) {
        for (String p : KEY_PARAMS) {
            if (ctx.queryParam(p) != null) {
                throw new ApiException(
                        400, "key_in_url", "API keys are never accepted in URLs; send 'Authorization: Bearer <key>'");
            }
        }
        return bearer(ctx);
    }

    /** The bearer token of the request, without looking at query parameters; null when there is none. */
    static @Nullable String bearer(Context ctx) {
        String auth = ctx.header("Authorization");
        if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return auth.substring(7).trim();
        }
        return ctx.header("X-API-Key");
    }

    /**
     * The routes besides uploads that a device or gateway key may call (the device's own commands and events; each
     * route checks that they are its device's).
     */
    private static final Set<String> DEVICE_ROUTES = Set.of("POST /api/v1/commands/{id}/ack", "POST /api/v1/events");

    /**
     * Authenticates the request and checks that its credential's scope allows the route, or answers 401 with the
     * reason (403 for a scope that does not reach the route).
     */
    static Principal authenticate(Context ctx, Registry registry) {
        Principal known = ctx.attribute(PRINCIPAL);
        if (known != null) {
            allow(ctx, known); // a signed-in person's scope too
            return known;
        }
        switch (credential(ctx, registry)) {
            case AuthResult.Accepted a -> {
                allow(ctx, a.principal());
                ctx.attribute(PRINCIPAL, a.principal());
                return a.principal();
            }
            case AuthResult.Refused r -> {
                ctx.header("WWW-Authenticate", "Bearer");
                throw new ApiException(401, r.revoked() ? "key_revoked" : "unauthorized", r.reason());
            }
        }
    }

    /**
     * What the request's credential authenticates: its key, else the client certificate chain it presented over
     * HTTPS (a device's), else nothing ("missing API key").
     */
    static AuthResult credential(Context ctx, Registry registry) {
        String key = presentedKey(ctx);
        AuthResult certificate = ctx.attribute(CertificateRoutes.RESULT);
        return key == null && certificate != null ? certificate : registry.authenticate(key);
    }

    /** Refuses (403) a route that the principal's scope does not reach. */
    static void allow(Context ctx, Principal p) {
        String method = ctx.method().name();
        String route;
        try {
            route = method + " " + ctx.endpointHandlerPath();
        } catch (RuntimeException e) {
            route = method + " " + ctx.path(); // in a before-handler, no route is matched yet
        }
        if (p.scope().uploadsOnly() && !DEVICE_ROUTES.contains(route)) {
            throw ApiException.forbidden("a " + p.scope().key() + " key uploads (and answers commands) for "
                    + p.scope().key() + " '" + p.target() + "' only");
        }
        if (p.scope().readOnly() && !method.equals("GET") && !method.equals("HEAD")) {
            throw ApiException.forbidden("a read-only key cannot change anything");
        }
    }

    /** An operator whose key may manage operators' keys and accounts (an admin key, or an operator's sign-in). */
    static Principal admin(Context ctx, Registry registry) {
        Principal p = operator(ctx, registry);
        if (p.scope() != io.meterbase.core.model.KeyScope.ADMIN) {
            throw ApiException.forbidden("this needs an operator admin key");
        }
        return p;
    }

    static Principal operator(Context ctx, Registry registry) {
        Principal p = authenticate(ctx, registry);
        if (!p.isOperator()) {
            throw ApiException.forbidden("this needs an operator key");
        }
        return p;
    }

    /** The body, or null when it is longer than {@code max} bytes. */
    static byte @Nullable [] boundedBody(Context ctx, int max) throws IOException {
        long declared = ctx.req().getContentLengthLong();
        if (declared > max) {
            return null;
        }
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] buf = in.readNBytes(max + 1);
            return buf.length > max ? null : buf;
        }
    }

    /** Reads at most {@code max} bytes of the body and no more (the rest is never read); empty when unreadable. */
    static byte[] readHead(Context ctx, int max) {
        try (InputStream in = ctx.req().getInputStream()) {
            return in.readNBytes(max);
        } catch (IOException e) {
            return new byte[0];
        }
    }

    /** A time from an ISO-8601 instant or epoch milliseconds, or the default. */
    static long time(Context ctx, String name, long fallback) {
        String v = ctx.queryParam(name);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            return v.chars().allMatch(Character::isDigit)
                    ? Long.parseLong(v)
                    : Instant.parse(v).toEpochMilli();
        } catch (NumberFormatException | DateTimeParseException e) {
            throw ApiException.badRequest(name + " must be an ISO-8601 instant or epoch milliseconds, was '" + v + "'");
        }
    }

    static int integer(Context ctx, String name, int fallback, int min, int max) {
        String v = ctx.queryParam(name);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v);
            if (n < min || n > max) {
                throw ApiException.badRequest(name + " must be within [" + min + ", " + max + "], was " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(name + " must be a whole number, was '" + v + "'");
        }
    }

    static long longParam(Context ctx, String name) {
        String v = ctx.queryParam(name);
        if (v == null) {
            return 0;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(name + " must be a number, was '" + v + "'");
        }
    }

    static long pathLong(Context ctx, String name) {
        try {
            return Long.parseLong(ctx.pathParam(name));
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(name + " must be a number");
        }
    }

    /** Where a request came from, before its sender is known. */
    static Origin origin(Context ctx) {
        return Origin.anonymous("http", ctx.ip(), ctx.method() + " " + ctx.path());
    }

    /** The origin of a request whose key authenticated it. */
    static Origin origin(Context ctx, Principal principal) {
        String certificate = ctx.attribute(CertificateRoutes.CREDENTIAL);
        return origin(ctx)
                .authenticated(
                        principal.customerId(),
                        principal.keyId() == 0 && certificate != null ? certificate : "key/" + principal.keyId())
                .scoped(principal.scope(), principal.target());
    }
}
