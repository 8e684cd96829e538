package io.meterbase.core.ingest;

import io.meterbase.core.model.KeyScope;
import org.jspecify.annotations.Nullable;

/**
 * Where an input came from: its transport, the sender's address, and the customer and credential it authenticated
 * as ({@code 0} and {@code null} when it did not). Limits and quarantine quotas are kept by credential, customer or
 * address, never by names the sender chooses.
 *
 * @param transport {@code http}, {@code mqtt}, {@code coap}, ...
 * @param address the peer's address, or {@code -} when the transport does not know it
 * @param customerId the authenticated customer, or 0
 * @param credential what authenticated it, e.g. {@code key/12} or {@code psk/3:plug-1}; null when nothing did
 * @param detail what else identifies the input, e.g. {@code POST /api/v1/upload} or an MQTT topic
 * @param onlyDevice the one device the credential may upload for (a device key), or null
 * @param onlyGateway the one gateway the credential may upload through (a gateway key), or null
 */
public record Origin(
        String transport,
        String address,
        long customerId,
        @Nullable String credential,
        @Nullable String detail,
        @Nullable String onlyDevice,
        @Nullable String onlyGateway) {

    /** An origin whose credential may upload for any device of its customer. */
    public Origin(
            String transport, String address, long customerId, @Nullable String credential, @Nullable String detail) {
        this(transport, address, customerId, credential, detail, null, null);
    }

    /** An input whose sender did not authenticate. */
    public static Origin anonymous(String transport, String address, String detail) {
        return new Origin(transport, address, 0, null, detail);
    }

    /** Input submitted by a tool or test in the server's own process, for a customer. */
    public static Origin local(long customerId, String tool) {
        return new Origin("local", "-", customerId, "local/" + tool, tool);
    }

    /** The same origin once its sender authenticated. */
    public Origin authenticated(long customer, String credentialId) {
        return new Origin(transport, address, customer, credentialId, detail, onlyDevice, onlyGateway);
    }

    /**
     * The same origin with what its key may upload for: one device ({@link KeyScope#DEVICE}), one gateway ({@link
     * KeyScope#GATEWAY}), or any device of the customer (other scopes).
     */
    public Origin scoped(KeyScope scope, @Nullable String target) {
        return new Origin(
                transport,
                address,
                customerId,
                credential,
                detail,
                scope == KeyScope.DEVICE ? target : null,
                scope == KeyScope.GATEWAY ? target : null);
    }

    public Origin withDetail(String more) {
        return new Origin(transport, address, customerId, credential, more, onlyDevice, onlyGateway);
    }

    public boolean isAuthenticated() {
        return credential != null;
    }

    /** The text kept with a quarantine entry, e.g. {@code http 127.0.0.1 POST /api/v1/upload key/12}. */
    public String describe() {
        return transport + " " + address + (detail == null || detail.isEmpty() ? "" : " " + detail)
                + (credential == null ? "" : " " + credential);
    }

    /** Whose quota a refusal counts against: the customer, else the address. */
    public String quotaKey() {
        return customerId != 0 ? "customer " + customerId : transport + " " + address;
    }

    /** The credential as a rate-limit key. */
    public String credentialKey() {
        return credential == null ? transport + " " + address : credential;
    }
}
