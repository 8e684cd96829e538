package io.meterbase.identity;

import io.meterbase.core.auth.Principal;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Browser sessions after a sign-in: a random id (256 bits) in an HttpOnly, Secure, SameSite=Strict cookie, and a
 * CSRF token the page sends back in {@code X-CSRF-Token} with every change. Kept in memory: a restart signs
 * everyone out. A session ends after {@link #IDLE} without use, after {@link #LONGEST} in all, or at sign-out.
 */
public final class Sessions {

    public static final String COOKIE = "mb_session";
    public static final String CSRF_HEADER = "X-CSRF-Token";
    public static final Duration IDLE = Duration.ofMinutes(30);
    public static final Duration LONGEST = Duration.ofHours(12);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** One session. */
    public record Session(
            String id, String csrf, Principal principal, String username, Instant started, Instant lastUsed) {}

    private final Clock clock;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();

    public Sessions(Clock clock) {
        this.clock = clock;
    }

    public Session start(Principal principal, String username) {
        Instant now = clock.instant();
        Session s = new Session(token(), token(), principal, username, now, now);
        sessions.put(s.id(), s);
        return s;
    }

    /** The live session of this id, its idle time restarted; empty when unknown or over. */
    public Optional<Session> use(@Nullable String id) {
        if (id == null) {
            return Optional.empty();
        }
        Session s = sessions.get(id);
        if (s == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        if (now.isAfter(s.lastUsed().plus(IDLE)) || now.isAfter(s.started().plus(LONGEST))) {
            sessions.remove(id);
            return Optional.empty();
        }
        Session used = new Session(s.id(), s.csrf(), s.principal(), s.username(), s.started(), now);
        sessions.put(id, used);
        return Optional.of(used);
    }

    public void end(@Nullable String id) {
        if (id != null) {
            sessions.remove(id);
        }
    }

    private static String token() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
