package io.meterbase.core.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * The signature of a remote connect or disconnect command: ECDSA on P-256 with SHA-256 over a canonical text of
 * the fields that matter (id, device, action, issue and expiry times, a random nonce). The server signs with its
 * private key; a gateway verifies with the server's public key and refuses a command whose fields were changed.
 */
public final class CommandSignature {

    public static final String ALGORITHM = "SHA256withECDSA";

    private CommandSignature() {}

    /** The signed text. */
    public static String canonical(
            String id, String deviceRef, String action, long issuedAtMs, long expiresAtMs, String nonce) {
        return String.join(
                "\n",
                "meterbase-command-v1",
                id,
                deviceRef,
                action,
                Long.toString(issuedAtMs),
                Long.toString(expiresAtMs),
                nonce);
    }

    /** A base64 DER signature of {@code text}. */
    public static String sign(PrivateKey key, String text) {
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initSign(key);
            s.update(text.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a command", e);
        }
    }

    /** Whether {@code signature} (base64 DER) is the key's signature of {@code text}; false for any malformed input. */
    public static boolean verify(PublicKey key, String text, String signature) {
        if (signature == null) {
            return false;
        }
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initVerify(key);
            s.update(text.getBytes(StandardCharsets.UTF_8));
            return s.verify(Base64.getDecoder().decode(signature));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    /** Reads a public key in PEM ({@code -----BEGIN PUBLIC KEY-----}) or bare base64 X.509 form. */
    public static PublicKey publicKey(String pem) {
        String body = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        try {
            return KeyFactory.getInstance("EC")
                    .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(body)));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("not an EC public key in PEM form", e);
        }
    }

    /** A public key in PEM form. */
    public static String pem(PublicKey key) {
        String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(key.getEncoded());
        return "-----BEGIN PUBLIC KEY-----\n" + b64 + "\n-----END PUBLIC KEY-----\n";
    }
}
