package io.meterbase.identity;

import io.meterbase.core.auth.ApiKeys;
import io.meterbase.core.store.DocumentStore;
import io.meterbase.core.store.StoreChanges;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Third-party grants (seed 001: owners grant access to their data): a customer lets one application read some of
 * its devices, some quantities, within a period, optionally as hourly aggregates only. Each grant has its own token
 * (shown once, kept as a SHA-256 hash) that reads nothing else. Every access is logged: to the {@code
 * meterbase.access} log, and in the grant's access log (its newest {@link #KEPT_ACCESSES} entries and a count), which
 * the owner reads. Kept as documents (kind {@code grant}, access logs kind {@code grant-access}).
 */
public final class Grants {

    public static final String TOKEN_PREFIX = "mbg_";
    public static final int KEPT_ACCESSES = 500;
    private static final Logger ACCESS = LoggerFactory.getLogger("meterbase.access");
    private static final String KIND = "grant";
    private static final String LOG_KIND = "grant-access";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** One grant; {@code devices} and {@code quantities} empty mean none (a grant names what it shares). */
    public record Grant(
            String id,
            long customer,
            String application,
            List<String> devices,
            List<String> quantities,
            @Nullable Instant from,
            @Nullable Instant to,
            boolean aggregatedOnly,
            String tokenPrefix,
            String tokenHash,
            Instant createdAt,
            @Nullable Instant revokedAt) {

        public boolean revoked() {
            return revokedAt != null;
        }

        public boolean covers(String device, String quantity) {
            return devices.contains(device) && quantities.contains(quantity);
        }
    }

    /** One logged access. */
    public record Access(Instant at, String method, String path, int status, String ip) {}

    /** The access log of a grant: how many in all, and the newest first. */
    public record AccessLog(long total, List<Access> newest) {}

    /** A new grant and its token, shown once. */
    public record Created(Grant grant, String token) {}

    private final DocumentStore store;
    private final Clock clock;
    private final Map<String, Grant> byId = new ConcurrentHashMap<>();
    private final Map<String, Grant> byHash = new ConcurrentHashMap<>();
    private final Map<String, AccessLog> logs = new ConcurrentHashMap<>();

    public Grants(DocumentStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
        store.documents(KIND).values().forEach(json -> index(IdentityJson.read(json, Grant.class)));
        store.documents(LOG_KIND).forEach((id, json) -> logs.put(id, IdentityJson.read(json, AccessLog.class)));
    }

    private void index(Grant g) {
        byId.put(g.id(), g);
        byHash.put(g.tokenHash(), g);
    }

    /**
     * Takes in the grants and access logs other nodes sharing the store wrote or deleted (read again by id); reads
     * all again when the store's change feed may have missed changes.
     */
    public void refresh(StoreChanges changes) {
        if (changes.missed()) {
            Map<String, String> all = store.documents(KIND);
            for (Grant g : List.copyOf(byId.values())) {
                if (!all.containsKey(g.id())) {
                    forget(g.id());
                }
            }
            all.values().forEach(json -> index(IdentityJson.read(json, Grant.class)));
            Map<String, String> allLogs = store.documents(LOG_KIND);
            logs.keySet().retainAll(allLogs.keySet());
            allLogs.forEach((id, json) -> logs.put(id, IdentityJson.read(json, AccessLog.class)));
            return;
        }
        for (String id : changes.documentIds(KIND)) {
            store.document(KIND, id)
                    .ifPresentOrElse(json -> index(IdentityJson.read(json, Grant.class)), () -> forget(id));
        }
        for (String id : changes.documentIds(LOG_KIND)) {
            store.document(LOG_KIND, id)
                    .ifPresentOrElse(
                            json -> logs.put(id, IdentityJson.read(json, AccessLog.class)), () -> logs.remove(id));
        }
    }

    private void forget(String id) {
        Grant old = byId.remove(id);
        if (old != null) {
            byHash.remove(old.tokenHash(), old);
        }
    }

    public synchronized Created create(
            long customer,
            String application,
            List<String> devices,
            List<String> quantities,
            @Nullable Instant from,
            @Nullable Instant to,
            boolean aggregatedOnly) {
        if (application == null || application.isBlank() || application.length() > 100) {
            throw new IllegalArgumentException("application: name the application (1-100 characters)");
        }
        if (devices == null || devices.isEmpty()) {
            throw new IllegalArgumentException("devices: name at least one of your devices");
        }
        if (quantities == null || quantities.isEmpty()) {
            throw new IllegalArgumentException("quantities: name at least one quantity, e.g. power or energy");
        }
        if (from != null && to != null && !from.isBefore(to)) {
            throw new IllegalArgumentException("from must be before to");
        }
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        String token = TOKEN_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
        Grant g = new Grant(
                "grant-" + Long.toHexString(RANDOM.nextLong() >>> 1),
                customer,
                application.trim(),
                List.copyOf(devices),
                List.copyOf(quantities),
                from,
                to,
                aggregatedOnly,
                token.substring(0, 10),
                ApiKeys.hash(token),
                clock.instant(),
                null);
        store.saveDocument(KIND, g.id(), IdentityJson.write(g));
        index(g);
        return new Created(g, token);
    }

    public Optional<Grant> get(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** The grants of a customer (0: all), newest first. */
    public List<Grant> of(long customer) {
        return byId.values().stream()
                .filter(g -> customer == 0 || g.customer() == customer)
                .sorted(Comparator.comparing(Grant::createdAt).reversed())
                .toList();
    }

    public synchronized @Nullable Grant revoke(String id) {
        Grant g = byId.get(id);
        if (g == null || g.revoked()) {
            return g;
        }
        Grant revoked = new Grant(
                g.id(),
                g.customer(),
                g.application(),
                g.devices(),
                g.quantities(),
                g.from(),
                g.to(),
                g.aggregatedOnly(),
                g.tokenPrefix(),
                g.tokenHash(),
                g.createdAt(),
                clock.instant());
        store.saveDocument(KIND, id, IdentityJson.write(revoked));
        index(revoked);
        return revoked;
    }

    /** The grant of a presented token; empty when unknown. Revoked grants are returned (the caller refuses them). */
    public Optional<Grant> byToken(String token) {
        return token == null || !token.startsWith(TOKEN_PREFIX)
                ? Optional.empty()
                : Optional.ofNullable(byHash.get(ApiKeys.hash(token.trim())));
    }

    /** Records one access by the grant's application, refused ones included. */
    public void logged(Grant g, String method, String path, int status, String ip) {
        Access a = new Access(clock.instant(), method, path, status, ip);
        ACCESS.info(
                "grant={} customer={} application=\"{}\" {} {} -> {} from {}",
                g.id(),
                g.customer(),
                g.application(),
                method,
                path,
                status,
                ip);
        AccessLog updated = logs.compute(g.id(), (id, old) -> {
            Deque<Access> newest = new ArrayDeque<>(old == null ? List.of() : old.newest());
            newest.addFirst(a);
            while (newest.size() > KEPT_ACCESSES) {
                newest.removeLast();
            }
            return new AccessLog(old == null ? 1 : old.total() + 1, new ArrayList<>(newest));
        });
        store.saveDocument(LOG_KIND, g.id(), IdentityJson.write(updated));
    }

    public AccessLog log(String id) {
        return logs.getOrDefault(id, new AccessLog(0, List.of()));
    }
}
