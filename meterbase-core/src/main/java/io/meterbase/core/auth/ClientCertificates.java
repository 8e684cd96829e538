package io.meterbase.core.auth;

import java.security.cert.X509Certificate;

/**
 * Device authentication by X.509 client certificate (MQTT over TLS, HTTPS): a chain the TLS handshake presented,
 * the device's certificate first, becomes the principal of one device of one customer, or a refusal with its
 * reason. Transports call it; the identity module implements it with a certificate authority per customer.
 */
@FunctionalInterface
public interface ClientCertificates {

    /** Refuses every certificate: client certificates are not enabled. */
    ClientCertificates NONE = chain ->
            AuthResult.refused("client certificates are not enabled on this server (tls.client-certificates=true)");

    /**
     * The principal a chain authenticates: a {@link io.meterbase.core.model.KeyScope#DEVICE} principal for the
     * device its certificate names, or why not (an unknown or revoked authority, a revoked or expired certificate).
     */
    AuthResult authenticate(X509Certificate[] chain);

    /** How limits and quarantine entries name a certificate: {@code cert/<customer>/<serial in hex>}. */
    static String credential(long customerId, X509Certificate deviceCertificate) {
        return "cert/" + customerId + "/" + deviceCertificate.getSerialNumber().toString(16);
    }
}
