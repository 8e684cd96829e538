package io.meterbase.core.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * DTLS pre-shared keys that the server never stores: the key of an identity is the first 32 hex characters of
 * HMAC-SHA256(server secret, identity). The owner gets it from the API and puts it in the device; the server derives
 * it again at each handshake. The DTLS key is the ASCII of those characters, so tools that take the key as text
 * (coap-client's {@code -k}) work unchanged. Identities come in two kinds:
 * <ul>
 *   <li>{@code k<key id>}: the PSK of a device or gateway API key, with that key's scope; revoked, expired or
 *       rotated away with it;
 *   <li>{@code c<customer>:<device>}: the older customer-wide kind, which uploads like the customer's own key and
 *       ends only when the server secret changes ({@code coap.customer-psk=off} refuses it).
 * </ul>
 */
public final class DevicePsk {

    private static final Pattern IDENTITY = Pattern.compile("c(\\d{1,18}):([A-Za-z0-9._:@-]{1,64})");
    private static final Pattern KEY_IDENTITY = Pattern.compile("k([1-9]\\d{0,17})");

    /** Who an identity names. */
    public record Identity(long customerId, String deviceRef) {
        public String text() {
            return "c" + customerId + ":" + deviceRef;
        }
    }

    private final byte[] serverSecret;

    /** Reads the server secret from {@code file}, creating it (32 random bytes, owner-only) on first use. */
    public static DevicePsk fromFile(Path file) throws IOException {
        if (!Files.exists(file)) {
            byte[] secret = new byte[32];
            new SecureRandom().nextBytes(secret);
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.write(file, secret);
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system
            }
        }
        return new DevicePsk(Files.readAllBytes(file));
    }

    public DevicePsk(byte[] serverSecret) {
        if (serverSecret.length < 32) {
            throw new IllegalArgumentException("serverSecret: at least 32 bytes");
        }
        this.serverSecret = serverSecret.clone();
    }

    public static Optional<Identity> parse(@Nullable String identity) {
        Matcher m = identity == null ? null : IDENTITY.matcher(identity);
        return m != null && m.matches()
                ? Optional.of(new Identity(Long.parseLong(m.group(1)), m.group(2)))
                : Optional.empty();
    }

    /** The identity of an API key's PSK, {@code k<key id>}. */
    public static String keyIdentity(long keyId) {
        if (keyId <= 0) {
            throw new IllegalArgumentException("keyId: positive");
        }
        return "k" + keyId;
    }

    /** The API key an identity of the {@code k<key id>} kind names; empty for any other text. */
    public static OptionalLong parseKeyIdentity(@Nullable String identity) {
        Matcher m = identity == null ? null : KEY_IDENTITY.matcher(identity);
        return m != null && m.matches() ? OptionalLong.of(Long.parseLong(m.group(1))) : OptionalLong.empty();
    }

    /** The key (32 hex characters) of a customer-wide identity. */
    public String key(Identity identity) {
        return derive(identity.text());
    }

    /** The key (32 hex characters) of an API key's identity. */
    public String keyOfApiKey(long keyId) {
        return derive(keyIdentity(keyId));
    }

    /** The key (32 hex characters) of an identity's text, of either kind. */
    public String derive(String identity) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(serverSecret, "HmacSHA256"));
            byte[] h = mac.doFinal(identity.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h).substring(0, 32);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
        }
    }
}
