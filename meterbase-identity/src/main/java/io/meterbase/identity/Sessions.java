package io.meterbase.identity;

import io.meterbase.core.auth.ApiKeys;
import io.meterbase.core.auth.Principal;
import io.meterbase.core.model.Role;
import io.meterbase.core.store.DocumentCache;
import io.meterbase.core.store.DocumentStore;
import io.meterbase.core.store.StoreChanges;
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
 * CSRF token the page sends back in {@code X-CSRF-Token} with every change. A session ends after {@link #IDLE}
 * without use, after {@link #LONGEST} in all, or at sign-out.
 *
 * <p>Sessions are kept in the store (documents of kind {@code session}, by the SHA-256 of their id, so that the
 * store never holds a usable cookie), so that every node sharing the store accepts the cookie whichever node
 * signed the person in, and a restart signs no one out. Each node keeps the sessions it has seen in memory; a
 * session's last use is written back at most once every {@link #TOUCH_EVERY}; a sign-out on one node reaches the
 * others through the store's change feed ({@link #refresh}).
 */
public final class Sessions {

    public static final String COOKIE = "mb_session";
    public static final String CSRF_HEADER = "X-CSRF-Token";
    public static final Duration IDLE = Duration.ofMinutes(30);
    public static final Duration LONGEST = Duration.ofHours(12);
    /** How stale a stored last use may be (the idle time is counted from it on another node). */
    static final Duration TOUCH_EVERY = Duration.ofMinutes(1);

    private static final String KIND = "session";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** One session; {@code id} is the cookie's value (not stored). */
    public record Session(
            String id, String csrf, Principal principal, String username, Instant started, Instant lastUsed) {}

    /** A session as stored: without its id. */
    record StoredSession(
            String csrf,
            Role role,
            long customer,
            long keyId,
            String username,
            Instant started,
            Instant lastUsed,
            io.meterbase.core.model.@Nullable KeyScope scope) {

        static StoredSession of(Session s) {
            Principal p = s.principal();
            return new StoredSession(
                    s.csrf(), p.role(), p.customerId(), p.keyId(), s.username(), s.started(), s.lastUsed(), p.scope());
        }

        /** The session with its id; one stored before sessions had scopes has the full scope of its role. */
        Session withId(String id) {
            Principal p = new Principal(
                    role, customer, keyId, scope != null ? scope : io.meterbase.core.model.KeyScope.of(role), null);
            return new Session(id, csrf, p, username, started, lastUsed);
        }
    }

    private final DocumentStore store;
    private final Clock clock;
    /** Sessions seen by this node, by the hash of their id; the store has the truth. */
    private final Map<String, StoredSession> cached = new ConcurrentHashMap<>();

    public Sessions(DocumentStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    public Session start(Principal principal, String username) {
        Instant now = clock.instant();
        Session s = new Session(token(), token(), principal, username, now, now);
        StoredSession stored = StoredSession.of(s);
        store.saveDocument(KIND, hash(s.id()), IdentityJson.write(stored));
        cached.put(hash(s.id()), stored);
        return s;
    }

    /** The live session of this id, its idle time restarted; empty when unknown or over. */
    public Optional<Session> use(@Nullable String id) {
        if (id == null || id.isBlank()) {
            return Optional.empty();
        }
        String key = hash(id);
        StoredSession s = cached.get(key);
        if (s == null) {
            // signed in on another node, or before a restart
            Optional<String> json = store.document(KIND, key);
            if (json.isEmpty()) {
                return Optional.empty();
            }
            s = IdentityJson.read(json.get(), StoredSession.class);
        }
        Instant now = clock.instant();
        if (now.isAfter(s.lastUsed().plus(IDLE)) || now.isAfter(s.started().plus(LONGEST))) {
            cached.remove(key);
            store.deleteDocument(KIND, key);
            return Optional.empty();
        }
        StoredSession used = new StoredSession(
                s.csrf(), s.role(), s.customer(), s.keyId(), s.username(), s.started(), now, s.scope());
        if (now.isAfter(s.lastUsed().plus(TOUCH_EVERY))) {
            if (!store.replaceDocument(KIND, key, IdentityJson.write(used))) {
                cached.remove(key); // signed out on another node meanwhile
                return Optional.empty();
            }
            cached.put(key, used);
        } else {
            cached.put(key, s); // its stored last use, written again once it is a minute old
        }
        return Optional.of(used.withId(id));
    }

    public void end(@Nullable String id) {
        if (id != null && !id.isBlank()) {
            String key = hash(id);
            cached.remove(key);
            store.deleteDocument(KIND, key);
        }
    }

    /** Forgets sessions other nodes ended, and takes in their uses. */
    public void refresh(StoreChanges changes) {
        if (changes.missed()) {
            cached.clear(); // read again from the store at their next use
            return;
        }
        DocumentCache.refresh(
                store,
                KIND,
                changes,
                cached.keySet(),
                (key, json) -> cached.computeIfPresent(key, (k, old) -> IdentityJson.read(json, StoredSession.class)),
                cached::remove);
    }

    /** Ends every session of an account (removed, or its password changed); returns how many. */
    public int endAllOf(String username) {
        int ended = 0;
        for (Map.Entry<String, String> e : store.documents(KIND).entrySet()) {
            StoredSession s = IdentityJson.read(e.getValue(), StoredSession.class);
            if (s.username().equalsIgnoreCase(username)) {
                store.deleteDocument(KIND, e.getKey());
                cached.remove(e.getKey());
                ended++;
            }
        }
        return ended;
    }

    /** Removes the stored sessions that are over; returns how many. For one node at a time. */
    public int prune() {
        Instant now = clock.instant();
        int removed = 0;
        for (Map.Entry<String, String> e : store.documents(KIND).entrySet()) {
            StoredSession s = IdentityJson.read(e.getValue(), StoredSession.class);
            if (now.isAfter(s.lastUsed().plus(IDLE)) || now.isAfter(s.started().plus(LONGEST))) {
                store.deleteDocument(KIND, e.getKey());
                cached.remove(e.getKey());
                removed++;
            }
        }
        return removed;
    }

    /** The id of a session's document: the SHA-256 of the cookie's value. */
    static String hash(String id) {
        return ApiKeys.hash(id);
    }

    private static String token() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
