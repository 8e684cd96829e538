package io.meterbase.identity;

import io.meterbase.core.auth.AuthResult;
import io.meterbase.core.auth.ClientCertificates;
import io.meterbase.core.auth.Principal;
import io.meterbase.core.ingest.References;
import io.meterbase.core.model.KeyScope;
import io.meterbase.core.model.Role;
import io.meterbase.core.store.DocumentCache;
import io.meterbase.core.store.DocumentStore;
import io.meterbase.core.store.StoreChanges;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;
import org.jspecify.annotations.Nullable;

/**
 * A certificate authority per customer for devices' X.509 client certificates. The customer keeps the authority's
 * private key: it sends a certificate signing request, the installation's {@link ClientRoot} signs it as an authority
 * that may sign device certificates only, and the customer signs its devices' certificates with it, each naming its
 * device in its common name. A device presents its chain (its certificate, then the authority's); the TLS listeners
 * trust the root, and {@link #authenticate} maps the chain to that customer's device, with a device key's scope.
 *
 * <p>Authorities are documents of kind {@value #KIND}, keyed by the SHA-256 of their certificate, so every node
 * knows the same ones; revoking an authority, or one device certificate by its serial, refuses it at the next
 * connection or request on every node. Thread-safe.
 */
public final class ClientAuthorities implements ClientCertificates {

    static final String KIND = "client-ca";
    /** How long an authority is valid (never beyond the root). */
    static final Duration VALIDITY = Duration.ofDays(5 * 365);
    /** Device certificates a customer may revoke one by one, per authority. */
    static final int MAX_REVOKED = 10_000;

    /** A customer's authority as stored: its certificate in PEM, when it was made and revoked, revoked serials. */
    public record Authority(
            String id,
            long customer,
            String certificate,
            Instant createdAt,
            @Nullable Instant revokedAt,
            List<String> revokedSerials) {

        public Authority {
            revokedSerials = revokedSerials == null ? List.of() : List.copyOf(revokedSerials);
        }

        public boolean revoked() {
            return revokedAt != null;
        }
    }

    private final DocumentStore store;
    private final ClientRoot root;
    private final Clock clock;
    private final Map<String, Authority> byId = new ConcurrentHashMap<>();

    public ClientAuthorities(DocumentStore store, ClientRoot root, Clock clock) {
        this.store = store;
        this.root = root;
        this.clock = clock;
        store.documents(KIND).forEach((id, json) -> byId.put(id, IdentityJson.read(json, Authority.class)));
    }

    /** The installation's root, which signs the authorities and which TLS listeners trust. */
    public ClientRoot root() {
        return root;
    }

    /** Takes in other nodes' changes. */
    public void refresh(StoreChanges changes) {
        DocumentCache.refresh(
                store,
                KIND,
                changes,
                byId.keySet(),
                (id, json) -> byId.put(id, IdentityJson.read(json, Authority.class)),
                byId::remove);
    }

    /**
     * Signs a customer's certificate signing request (PEM) as the customer's new authority.
     *
     * @throws IllegalArgumentException when the request is not a PEM PKCS#10 request, its signature does not verify,
     *     or its key is weak (EC under 256 bits, RSA under 2048)
     */
    public Authority create(long customer, String csrPem) {
        JcaPKCS10CertificationRequest csr = parseRequest(csrPem);
        PublicKey key;
        try {
            key = csr.getPublicKey();
            if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key))) {
                throw new IllegalArgumentException("csr: its signature does not verify");
            }
        } catch (GeneralSecurityException | PKCSException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new IllegalArgumentException("csr: its key or signature cannot be read (" + e.getMessage() + ")");
        }
        if (key instanceof ECPublicKey ec
                ? ec.getParams().getOrder().bitLength() < 256
                : !(key instanceof RSAPublicKey rsa) || rsa.getModulus().bitLength() < 2048) {
            throw new IllegalArgumentException("csr: the key must be EC (P-256 or larger) or RSA (2048 bits or more)");
        }
        Instant now = clock.instant();
        String tag = HexFormat.of().formatHex(random4());
        X500Name subject = new X500Name("CN=Meterbase customer " + customer + " authority " + tag + ", O=Meterbase");
        X509Certificate cert = root.signAuthority(key, subject, now.minus(Duration.ofMinutes(5)), now.plus(VALIDITY));
        Authority a = new Authority(fingerprint(cert), customer, pem(cert), now, null, List.of());
        store.saveDocument(KIND, a.id(), IdentityJson.write(a));
        byId.put(a.id(), a);
        return a;
    }

    /** The authorities of a customer, newest first. */
    public List<Authority> of(long customer) {
        return byId.values().stream()
                .filter(a -> a.customer() == customer)
                .sorted(Comparator.comparing(Authority::createdAt).reversed())
                .toList();
    }

    public Optional<Authority> get(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** Revokes an authority: no certificate it signed is accepted any more. */
    public synchronized Optional<Authority> revoke(String id) {
        Authority a = byId.get(id);
        if (a == null || a.revoked()) {
            return Optional.ofNullable(a);
        }
        return Optional.of(save(new Authority(
                a.id(), a.customer(), a.certificate(), a.createdAt(), clock.instant(), a.revokedSerials())));
    }

    /**
     * Revokes one device certificate of an authority by its serial number (hex, as {@code openssl x509 -serial}
     * prints it).
     *
     * @throws IllegalArgumentException when the serial is not hex, or the authority has too many revoked already
     */
    public synchronized Optional<Authority> revokeCertificate(String id, String serialHex) {
        Authority a = byId.get(id);
        if (a == null) {
            return Optional.empty();
        }
        String serial = normalSerial(serialHex);
        if (a.revokedSerials().contains(serial)) {
            return Optional.of(a);
        }
        if (a.revokedSerials().size() >= MAX_REVOKED) {
            throw new IllegalArgumentException(
                    "serial: this authority has " + MAX_REVOKED + " revoked certificates; make a new authority");
        }
        List<String> serials = new ArrayList<>(a.revokedSerials());
        serials.add(serial);
        return Optional.of(
                save(new Authority(a.id(), a.customer(), a.certificate(), a.createdAt(), a.revokedAt(), serials)));
    }

    @Override
    public AuthResult authenticate(X509Certificate[] chain) {
        if (chain == null || chain.length < 2) {
            return AuthResult.refused(
                    "a client certificate must come with its authority's (send the chain: device, then authority)");
        }
        X509Certificate device = chain[0];
        X509Certificate authority = chain[1];
        Authority a = byId.get(fingerprint(authority));
        if (a == null) {
            return AuthResult.refused("the client certificate's authority is not one of this server's");
        }
        if (a.revoked()) {
            return AuthResult.revoked("the client certificate's authority was revoked");
        }
        Instant now = clock.instant();
        try {
            authority.verify(root.certificate().getPublicKey());
            device.verify(authority.getPublicKey());
            authority.checkValidity(java.util.Date.from(now));
            device.checkValidity(java.util.Date.from(now));
        } catch (GeneralSecurityException e) {
            return AuthResult.refused("the client certificate is not valid now, or not signed by its authority");
        }
        if (device.getBasicConstraints() != -1) {
            return AuthResult.refused("a device certificate cannot be an authority");
        }
        if (a.revokedSerials().contains(device.getSerialNumber().toString(16))) {
            return AuthResult.revoked("this client certificate was revoked");
        }
        String ref = commonName(device.getSubjectX500Principal());
        String problem = References.problem("device", ref);
        if (ref == null || problem != null) {
            return AuthResult.refused("the certificate's common name must be the device: " + problem);
        }
        return AuthResult.accepted(new Principal(Role.CUSTOMER, a.customer(), 0, KeyScope.DEVICE, ref));
    }

    private Authority save(Authority a) {
        store.saveDocument(KIND, a.id(), IdentityJson.write(a));
        byId.put(a.id(), a);
        return a;
    }

    private static byte[] random4() {
        byte[] b = new byte[4];
        new java.security.SecureRandom().nextBytes(b);
        return b;
    }

    static String normalSerial(String hex) {
        String s = hex == null ? "" : hex.strip().replace(":", "");
        if (s.startsWith("0x") || s.startsWith("0X")) {
            s = s.substring(2);
        }
        if (s.isEmpty() || s.length() > 64 || !s.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new IllegalArgumentException(
                    "serial: the certificate's serial number in hex, e.g. 3A:7F:01 or 3a7f01");
        }
        return new BigInteger(s, 16).toString(16);
    }

    private static @Nullable String commonName(X500Principal principal) {
        var rdns = new X500Name(principal.getName(X500Principal.RFC2253)).getRDNs(BCStyle.CN);
        return rdns.length == 1 ? IETFUtils.valueToString(rdns[0].getFirst().getValue()) : null;
    }

    private static JcaPKCS10CertificationRequest parseRequest(String pem) {
        if (pem == null || pem.isBlank() || pem.length() > 16_384) {
            throw new IllegalArgumentException(
                    "csr: a PEM certificate signing request (-----BEGIN CERTIFICATE REQUEST-----)");
        }
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object o = parser.readObject();
            if (o instanceof org.bouncycastle.pkcs.PKCS10CertificationRequest r) {
                return new JcaPKCS10CertificationRequest(r);
            }
        } catch (IOException | RuntimeException e) {
            // not PEM: answered below
        }
        throw new IllegalArgumentException(
                "csr: a PEM certificate signing request (-----BEGIN CERTIFICATE REQUEST-----)");
    }

    static String fingerprint(X509Certificate cert) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A certificate in PEM. */
    public static String pem(X509Certificate cert) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(cert);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }

    /** Reads a PEM certificate (for tests and tools). */
    static X509Certificate readPem(String pem) throws GeneralSecurityException {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    }
}
