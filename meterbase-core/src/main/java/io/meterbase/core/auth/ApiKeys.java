package io.meterbase.core.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Generates API key secrets (256 bits from a CSPRNG) and hashes them for storage. A key secret has full entropy,
 * so a fast hash (SHA-256) is as strong as a slow one and keeps every request's lookup cheap.
 */
public final class ApiKeys {

    /** Every key starts with this, so leaked keys are easy to recognise by secret scanners. */
    public static final String PREFIX = "mbk_";

    private static final SecureRandom RANDOM = new SecureRandom();

    private ApiKeys() {}

    /** A new key secret: the prefix and 32 random bytes in URL-safe base64. */
    public static String newSecret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /**
     * A key secret in emoncms' format: 32 lowercase hex characters (128 bits from the CSPRNG). emonhub and other
     * emoncms clients refuse keys of any other length; use these only for such devices.
     */
    public static String newEmoncmsSecret() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** The hex SHA-256 of the secret, as stored. */
    public static String hash(String secret) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    /** The first characters of a secret, shown in key lists so owners can tell keys apart. */
    public static String displayPrefix(String secret) {
        return secret.substring(0, Math.min(secret.length(), PREFIX.length() + 6));
    }
}
