package io.meterbase.identity;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The installation's root for client certificates: it signs each customer's certificate authority ({@link
 * ClientAuthorities}), and TLS listeners trust it, so a device's chain (its certificate, its customer's authority)
 * passes the handshake whichever customer it belongs to. Kept in {@code <dir>/client-root.p12} with a random password
 * in {@code client-root.password}, both mode 600, made at first use; {@code client-trust.p12} holds its certificate
 * alone, for the listeners. Nodes serving the same devices share these files.
 */
public final class ClientRoot {

    private static final String ALIAS = "meterbase-client-root";

    private final X509Certificate certificate;
    private final PrivateKey key;
    private final Path trustStore;
    private final String password;

    private ClientRoot(X509Certificate certificate, PrivateKey key, Path trustStore, String password) {
        this.certificate = certificate;
        this.key = key;
        this.trustStore = trustStore;
        this.password = password;
    }

    /** The root in {@code dir}, made first when it is not there. */
    public static ClientRoot open(Path dir) {
        Path keystore = dir.resolve("client-root.p12");
        Path passwordFile = dir.resolve("client-root.password");
        Path trust = dir.resolve("client-trust.p12");
        try {
            Files.createDirectories(dir);
            if (!Files.exists(keystore) || !Files.exists(passwordFile)) {
                byte[] random = new byte[24];
                new SecureRandom().nextBytes(random);
                String password = HexFormat.of().formatHex(random);
                OwnerOnlyFiles.write(passwordFile, out -> out.write(password.getBytes(StandardCharsets.UTF_8)));
                make(keystore, password);
                Files.deleteIfExists(trust);
            }
            String password = Files.readString(passwordFile).strip();
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(keystore)) {
                ks.load(in, password.toCharArray());
            }
            X509Certificate cert = (X509Certificate) ks.getCertificate(ALIAS);
            PrivateKey key = (PrivateKey) ks.getKey(ALIAS, password.toCharArray());
            if (cert == null || key == null) {
                throw new IllegalStateException(keystore + " holds no " + ALIAS + " entry");
            }
            if (!Files.exists(trust)) {
                KeyStore ts = KeyStore.getInstance("PKCS12");
                ts.load(null, null);
                ts.setCertificateEntry(ALIAS, cert);
                OwnerOnlyFiles.write(trust, out -> store(ts, out, password));
            }
            return new ClientRoot(cert, key, trust, password);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("could not open the client certificate root in " + dir + ": " + e, e);
        }
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** A PKCS#12 file that holds the root's certificate alone, for TLS listeners to trust. */
    public Path trustStore() {
        return trustStore;
    }

    public String trustStorePassword() {
        return password;
    }

    /**
     * A certificate authority for {@code publicKey}, named {@code subject}, valid from {@code from} to {@code until}
     * (never beyond the root's own end); it may sign device certificates, not further authorities.
     */
    X509Certificate signAuthority(PublicKey publicKey, X500Name subject, Instant from, Instant until) {
        try {
            Instant end = until.isAfter(certificate.getNotAfter().toInstant())
                    ? certificate.getNotAfter().toInstant()
                    : until;
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                    certificate,
                    new BigInteger(127, new SecureRandom()),
                    Date.from(from),
                    Date.from(end),
                    subject,
                    publicKey);
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(publicKey));
            b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(certificate));
            return new JcaX509CertificateConverter()
                    .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
        } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("could not sign a certificate authority: " + e, e);
        }
    }

    private static void make(Path keystore, String password) throws IOException, GeneralSecurityException {
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
            gen.initialize(256, new SecureRandom());
            KeyPair pair = gen.generateKeyPair();
            X500Name name = new X500Name("CN=Meterbase client root, O=Meterbase");
            Instant now = Instant.now();
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                    name,
                    new BigInteger(127, new SecureRandom()),
                    Date.from(now.minus(Duration.ofHours(1))),
                    Date.from(now.plus(Duration.ofDays(3650))),
                    name,
                    pair.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(1));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
            X509Certificate cert = new JcaX509CertificateConverter()
                    .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry(ALIAS, pair.getPrivate(), password.toCharArray(), new X509Certificate[] {cert});
            OwnerOnlyFiles.write(keystore, out -> store(ks, out, password));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static void store(KeyStore ks, OutputStream out, String password) throws IOException {
        try {
            ks.store(out, password.toCharArray());
        } catch (GeneralSecurityException e) {
            throw new IOException(e);
        }
    }
}
