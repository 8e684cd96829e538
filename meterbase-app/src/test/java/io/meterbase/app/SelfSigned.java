package io.meterbase.app;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;

/** The self-signed HTTPS certificate a test server made in its data folder, as clients are given it. */
final class SelfSigned {

    private SelfSigned() {}

    /** The certificate in {@code <dataDir>/tls/self-signed.p12}. */
    static Certificate certificate(Path dataDir) throws Exception {
        Path tls = dataDir.resolve("tls");
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(tls.resolve("self-signed.p12"))) {
            keys.load(
                    in,
                    Files.readString(tls.resolve("self-signed.password"))
                            .strip()
                            .toCharArray());
        }
        return keys.getCertificate("meterbase");
    }

    static String pem(Certificate cert) throws Exception {
        return "-----BEGIN CERTIFICATE-----\n"
                + java.util.Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(cert.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
    }
}
