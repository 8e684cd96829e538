package io.meterbase.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meterbase.core.auth.AuthResult;
import io.meterbase.core.model.KeyScope;
import io.meterbase.core.store.StoreChanges;
import io.meterbase.core.store.memory.MemoryStore;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A customer's authority signed from its request, device chains mapped to devices, and revocation. */
class ClientAuthoritiesTest {

    @TempDir
    Path dir;

    private final MemoryStore store = MemoryStore.open();

    private static KeyPair ec() throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(256);
        return gen.generateKeyPair();
    }

    private static String csr(KeyPair pair, String subject) throws Exception {
        var request = new JcaPKCS10CertificationRequestBuilder(new X500Name(subject), pair.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate()));
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(request);
        }
        return out.toString();
    }

    /** A device certificate for {@code cn}, signed by an authority's key, valid from {@code from} for a day. */
    private static X509Certificate device(
            X509Certificate authority, PrivateKey authorityKey, String cn, long serial, Instant from) throws Exception {
        KeyPair pair = ec();
        var b = new JcaX509v3CertificateBuilder(
                authority,
                BigInteger.valueOf(serial),
                Date.from(from),
                Date.from(from.plus(Duration.ofDays(1))),
                new X500Name("CN=" + cn),
                pair.getPublic());
        return new JcaX509CertificateConverter()
                .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(authorityKey)));
    }

    @Test
    void aDevicesChain_isThatCustomersDevice_untilItsCertificateOrAuthorityIsRevoked() throws Exception {
        ClientRoot root = ClientRoot.open(dir);
        ClientAuthorities authorities = new ClientAuthorities(store.documents(), root, Clock.systemUTC());
        KeyPair caKeys = ec();

        ClientAuthorities.Authority a = authorities.create(7, csr(caKeys, "CN=anything the customer likes"));
        X509Certificate ca = ClientAuthorities.readPem(a.certificate());
        X509Certificate plug =
                device(ca, caKeys.getPrivate(), "plug-1", 0x3a7f, Instant.now().minusSeconds(60));

        assertThat(ca.getBasicConstraints()).isZero(); // signs devices, not further authorities
        assertThat(ca.getSubjectX500Principal().getName()).contains("Meterbase customer 7");
        AuthResult ok = authorities.authenticate(new X509Certificate[] {plug, ca});
        assertThat(ok).isInstanceOfSatisfying(AuthResult.Accepted.class, acc -> {
            assertThat(acc.principal().customerId()).isEqualTo(7);
            assertThat(acc.principal().scope()).isEqualTo(KeyScope.DEVICE);
            assertThat(acc.principal().target()).isEqualTo("plug-1");
        });

        // another node sharing the store hears of a revoked certificate, then of the revoked authority
        ClientAuthorities other = new ClientAuthorities(store.documents(), root, Clock.systemUTC());
        X509Certificate heater =
                device(ca, caKeys.getPrivate(), "heater", 0x10, Instant.now().minusSeconds(60));
        authorities.revokeCertificate(a.id(), "3A:7F");
        other.refresh(StoreChanges.everything());
        assertThat(other.authenticate(new X509Certificate[] {plug, ca}))
                .isInstanceOfSatisfying(
                        AuthResult.Refused.class, r -> assertThat(r.revoked()).isTrue());
        assertThat(other.authenticate(new X509Certificate[] {heater, ca})).isInstanceOf(AuthResult.Accepted.class);

        authorities.revoke(a.id());
        other.refresh(StoreChanges.everything());
        assertThat(other.authenticate(new X509Certificate[] {heater, ca}))
                .isInstanceOfSatisfying(
                        AuthResult.Refused.class, r -> assertThat(r.reason()).contains("revoked"));
    }

    @Test
    void chainsThatProveNothing_areRefused() throws Exception {
        ClientRoot root = ClientRoot.open(dir);
        ClientAuthorities authorities = new ClientAuthorities(store.documents(), root, Clock.systemUTC());
        KeyPair caKeys = ec();
        X509Certificate ca = ClientAuthorities.readPem(
                authorities.create(7, csr(caKeys, "CN=x")).certificate());
        Instant now = Instant.now();

        // the device alone; a device signed by another key; an expired device; a bad name; an unknown authority
        X509Certificate plug = device(ca, caKeys.getPrivate(), "plug-1", 1, now.minusSeconds(60));
        assertThat(authorities.authenticate(new X509Certificate[] {plug})).isInstanceOf(AuthResult.Refused.class);
        X509Certificate forged = device(ca, ec().getPrivate(), "plug-1", 2, now.minusSeconds(60));
        assertThat(authorities.authenticate(new X509Certificate[] {forged, ca})).isInstanceOf(AuthResult.Refused.class);
        X509Certificate old = device(ca, caKeys.getPrivate(), "plug-1", 3, now.minus(Duration.ofDays(3)));
        assertThat(authorities.authenticate(new X509Certificate[] {old, ca})).isInstanceOf(AuthResult.Refused.class);
        X509Certificate badName = device(ca, caKeys.getPrivate(), "two words", 4, now.minusSeconds(60));
        assertThat(authorities.authenticate(new X509Certificate[] {badName, ca}))
                .isInstanceOf(AuthResult.Refused.class);
        KeyPair selfKeys = ec();
        X509Certificate self = new JcaX509CertificateConverter()
                .getCertificate(new JcaX509v3CertificateBuilder(
                                new X500Name("CN=self"),
                                BigInteger.ONE,
                                Date.from(now.minusSeconds(60)),
                                Date.from(now.plus(Duration.ofDays(1))),
                                new X500Name("CN=self"),
                                selfKeys.getPublic())
                        .build(new JcaContentSignerBuilder("SHA256withECDSA").build(selfKeys.getPrivate())));
        X509Certificate selfPlug = device(self, selfKeys.getPrivate(), "plug-1", 5, now.minusSeconds(60));
        assertThat(authorities.authenticate(new X509Certificate[] {selfPlug, self}))
                .isInstanceOfSatisfying(
                        AuthResult.Refused.class, r -> assertThat(r.reason()).contains("not one of"));
    }

    @Test
    void requestsThatAreNotSignedRequests_areRefusedWithTheReason() throws Exception {
        ClientAuthorities authorities =
                new ClientAuthorities(store.documents(), ClientRoot.open(dir), Clock.systemUTC());

        assertThatThrownBy(() -> authorities.create(7, "hello")).hasMessageContaining("csr");
        assertThatThrownBy(() -> authorities.create(7, "")).hasMessageContaining("csr");
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(1024);
        KeyPair weak = rsa.generateKeyPair();
        var request = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=weak"), weak.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withRSA").build(weak.getPrivate()));
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(request);
        }
        assertThatThrownBy(() -> authorities.create(7, out.toString())).hasMessageContaining("2048");
        String id = authorities.create(7, csr(ec(), "CN=x")).id();
        assertThatThrownBy(() -> authorities.revokeCertificate(id, "zz")).hasMessageContaining("serial");
        assertThat(authorities.revokeCertificate("no such authority", "3a")).isEmpty();
    }

    @Test
    void theRootsFiles_areTheOwnersOnly_andOpenedAgainTheSame() throws Exception {
        ClientRoot first = ClientRoot.open(dir);
        ClientRoot again = ClientRoot.open(dir);

        assertThat(again.certificate()).isEqualTo(first.certificate());
        for (String f : new String[] {"client-root.p12", "client-root.password", "client-trust.p12"}) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(f))))
                    .as(f)
                    .isEqualTo("rw-------");
        }
    }
}
