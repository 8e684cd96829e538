package io.meterbase.http;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * HTTPS for the API and the web pages: a PKCS#12 keystore with the server's key and certificate, served on its own
 * port beside (or instead of) plain HTTP. {@link #selfSigned} makes a keystore for a demo or a first try on a
 * private network; real installations configure one signed by a certificate authority.
 */
public record Tls(Path keystore, String password, int port) {

    public Tls {
        if (keystore == null || !Files.isReadable(keystore)) {
            throw new IllegalArgumentException("http.tls.keystore: cannot read " + keystore);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("http.tls.port: must be within [0, 65535], was " + port);
        }
        password = password == null ? "" : password;
    }

    /** Loads the keystore, so that a wrong password or file fails at start with its reason. */
    public KeyStore load() {
        try (InputStream in = Files.newInputStream(keystore)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, password.toCharArray());
            if (!ks.aliases().hasMoreElements()) {
                throw new IllegalArgumentException("http.tls.keystore: " + keystore + " holds no key");
            }
            return ks;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("http.tls.keystore: cannot open " + keystore + ": " + e.getMessage(), e);
        }
    }

    /**
     * The self-signed keystore in {@code dir} ({@code self-signed.p12}), made first when it does not exist, with a
     * random password kept beside it ({@code self-signed.password}); both files readable by their owner only. A
     * keystore of an earlier version, which had a fixed password and no password file, is made anew.
     */
    public static Tls selfSigned(Path dir, int port) {
        Path keystore = dir.resolve("self-signed.p12");
        Path passwordFile = dir.resolve("self-signed.password");
        try {
            if (Files.exists(keystore) && Files.exists(passwordFile)) {
                return new Tls(keystore, Files.readString(passwordFile).strip(), port);
            }
            byte[] random = new byte[24];
            new SecureRandom().nextBytes(random);
            String password = java.util.HexFormat.of().formatHex(random);
            Files.createDirectories(dir);
            io.meterbase.identity.OwnerOnlyFiles.write(
                    passwordFile, out -> out.write(password.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            Files.deleteIfExists(keystore);
            selfSigned(keystore, password);
            return new Tls(keystore, password, port);
        } catch (IOException e) {
            throw new IllegalStateException("could not make a self-signed certificate in " + dir + ": " + e, e);
        }
    }

    /**
     * The keystore at {@code file}, made first when it does not exist: an EC P-256 key and a certificate for
     * {@code localhost}, 127.0.0.1 and ::1, valid one year, signed by itself, readable by its owner only. Browsers
     * warn about it.
     */
    public static Path selfSigned(Path file, String password) {
        if (Files.exists(file)) {
            return file;
        }
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
            gen.initialize(256, new SecureRandom());
            KeyPair pair = gen.generateKeyPair();
            X500Name name = new X500Name("CN=localhost, O=Meterbase (self-signed)");
            Instant now = Instant.now();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    name,
                    new BigInteger(64, new SecureRandom()),
                    Date.from(now.minus(Duration.ofHours(1))),
                    Date.from(now.plus(Duration.ofDays(365))),
                    name,
                    pair.getPublic());
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.dNSName, "localhost"),
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                new GeneralName(GeneralName.iPAddress, "::1")
            }));
            X509Certificate cert = new JcaX509CertificateConverter()
                    .getCertificate(
                            builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("meterbase", pair.getPrivate(), password.toCharArray(), new X509Certificate[] {cert});
            Files.createDirectories(file.toAbsolutePath().getParent());
            io.meterbase.identity.OwnerOnlyFiles.write(file, out -> {
                try {
                    ks.store(out, password.toCharArray());
                } catch (GeneralSecurityException e) {
                    throw new IOException(e);
                }
            });
            return file;
        } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("could not make a self-signed certificate at " + file + ": " + e, e);
        }
    }
}
