package io.meterbase.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.meterbase.core.auth.AuthResult;
import io.meterbase.core.auth.ClientCertificates;
import io.meterbase.core.auth.Principal;
import io.meterbase.identity.ClientAuthorities;
import io.meterbase.identity.ClientAuthorities.Authority;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Devices' X.509 client certificates over HTTPS, and the customers' certificate authorities that sign them:
 * <ul>
 *   <li>every HTTPS request that presented a chain has it checked ({@link ClientAuthorities}); a request without a
 *       key then acts as that device (a device key's scope);
 *   <li>{@code POST /api/v1/certificate-authorities {"csr": "<PEM>"}}: the customer's new authority, signed by the
 *       installation's client root; {@code GET} lists them; {@code DELETE …/{id}} revokes one;
 *       {@code POST …/{id}/revocations {"serial": "<hex>"}} revokes one device certificate.
 * </ul>
 * The routes answer 409 {@code not_enabled} unless the server runs with {@code tls.client-certificates=true}.
 */
final class CertificateRoutes {

    /** The outcome of checking the chain a request presented ({@link AuthResult}), when it presented one. */
    static final String RESULT = "meterbase.certificate.result";
    /** The credential name of an accepted chain ({@link ClientCertificates#credential}). */
    static final String CREDENTIAL = "meterbase.certificate.credential";

    private static final String CHAIN = "jakarta.servlet.request.X509Certificate";

    private final ApiContext api;

    CertificateRoutes(ApiContext api) {
        this.api = api;
    }

    void register(Javalin app) {
        app.before(this::fromCertificate);
        app.post("/api/v1/certificate-authorities", this::create);
        app.get("/api/v1/certificate-authorities", this::list);
        app.delete("/api/v1/certificate-authorities/{id}", this::revoke);
        app.post("/api/v1/certificate-authorities/{id}/revocations", this::revokeCertificate);
    }

    private void fromCertificate(Context ctx) {
        ClientAuthorities authorities = api.clientAuthorities();
        if (authorities == null
                || !(ctx.req().getAttribute(CHAIN) instanceof X509Certificate[] chain)
                || chain.length == 0) {
            return;
        }
        AuthResult result = authorities.authenticate(chain);
        ctx.attribute(RESULT, result);
        if (result instanceof AuthResult.Accepted a) {
            ctx.attribute(
                    CREDENTIAL, ClientCertificates.credential(a.principal().customerId(), chain[0]));
        }
    }

    private ClientAuthorities enabled() {
        ClientAuthorities authorities = api.clientAuthorities();
        if (authorities == null) {
            throw new ApiException(
                    409,
                    "not_enabled",
                    "client certificates are off on this server: run it with HTTPS and tls.client-certificates=true");
        }
        return authorities;
    }

    private void create(Context ctx) {
        Principal p = Requests.authenticate(ctx, api.registry());
        JsonNode b = body(ctx);
        long customer = AccountRoutes.customerOf(ctx, api.registry(), p, b);
        ClientAuthorities authorities = enabled();
        try {
            Map<String, Object> out =
                    json(authorities.create(customer, b.path("csr").asText("")));
            out.put(
                    "note",
                    "sign each device's certificate with this authority's key, its common name (CN) the device's name;"
                            + " a device sends its certificate followed by this one");
            ctx.status(201).json(out);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    private void list(Context ctx) {
        Principal p = Requests.authenticate(ctx, api.registry());
        long customer = AccountRoutes.customerOf(ctx, api.registry(), p, null);
        ctx.json(enabled().of(customer).stream().map(CertificateRoutes::json).toList());
    }

    private void revoke(Context ctx) {
        Principal p = Requests.authenticate(ctx, api.registry());
        Authority a = owned(p, ctx.pathParam("id"));
        ctx.json(json(enabled().revoke(a.id()).orElseThrow()));
    }

    private void revokeCertificate(Context ctx) {
        Principal p = Requests.authenticate(ctx, api.registry());
        JsonNode b = body(ctx);
        Authority a = owned(p, ctx.pathParam("id"));
        try {
            ctx.json(json(enabled()
                    .revokeCertificate(a.id(), b.path("serial").asText(""))
                    .orElseThrow()));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    /** An authority of the caller's customer (any, for an operator); another customer's answers 404. */
    private Authority owned(Principal p, String id) {
        return enabled()
                .get(id)
                .filter(a -> p.canAccess(a.customer()))
                .orElseThrow(() -> ApiException.notFound("no certificate authority " + id));
    }

    private static JsonNode body(Context ctx) {
        try {
            JsonNode node = ApiJson.MAPPER.readTree(ctx.body().isBlank() ? "{}" : ctx.body());
            if (node == null || !node.isObject()) {
                throw ApiException.badRequest("the body must be a JSON object");
            }
            return node;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw ApiException.badRequest(io.meterbase.json.SnakeCaseJson.describe(e));
        }
    }

    private static Map<String, Object> json(Authority a) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", a.id());
        out.put("customer_id", a.customer());
        out.put("certificate", a.certificate());
        out.put("created_at", a.createdAt().toString());
        java.time.Instant revoked = a.revokedAt();
        out.put("revoked_at", revoked == null ? null : revoked.toString());
        out.put("revoked_serials", a.revokedSerials());
        return out;
    }
}
