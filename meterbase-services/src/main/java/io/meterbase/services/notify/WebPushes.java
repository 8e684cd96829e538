package io.meterbase.services.notify;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.interaso.webpush.VapidKeys;
import com.interaso.webpush.WebPush;
import io.meterbase.core.api.alarm.NotificationsApi.PushSubscription;
import io.meterbase.core.store.DocumentCache;
import io.meterbase.core.store.DocumentStore;
import io.meterbase.core.store.StoreChanges;
import io.meterbase.services.alarm.WebhookDestinations;
import io.meterbase.services.json.ControlJson;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Web Push (RFC 8030) to the browsers recipients subscribe: payloads encrypted for each browser (RFC 8291,
 * aes128gcm) and signed for the push service with the server's VAPID key (RFC 8292), both by the
 * {@code com.interaso:webpush} library; the POST itself goes through this class, to public addresses only (the same
 * {@link WebhookDestinations} as webhooks: an endpoint is a URL a customer gives). The VAPID key pair is made once
 * and kept as a document of kind {@value #KEYS_KIND}, so every node signs with the same key and subscriptions outlive
 * restarts; subscriptions are documents of kind {@value #KIND}, one per endpoint. A push service's 404 or 410 means
 * the browser unsubscribed: its subscription is removed. Thread-safe.
 */
public final class WebPushes {

    private static final Logger LOG = LoggerFactory.getLogger(WebPushes.class);
    static final String KIND = "push-subscriptions";
    static final String KEYS_KIND = "push-keys";
    /** Subscriptions one recipient may keep (a browser each). */
    static final int MAX_PER_RECIPIENT = 20;
    /** How long a push service keeps a message for a browser that is offline. */
    private static final int TTL_SECONDS = 24 * 3600;

    /** A subscription as stored. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Stored(String recipient, String endpoint, String p256dh, String auth, Instant added) {}

    /** The VAPID key pair as stored: X.509 public key and PKCS#8 private key, base64. */
    record Keys(String x509, String pkcs8) {}

    private final DocumentStore store;
    private final WebhookDestinations destinations;
    private final Clock clock;
    private final WebPush webPush;
    private final String publicKey;
    private final Map<String, Stored> subscriptions = new ConcurrentHashMap<>();
    private final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    /**
     * @param subject how a push service reaches the operator of this server ({@code mailto:} or {@code https:} URL)
     */
    public WebPushes(DocumentStore store, WebhookDestinations destinations, String subject, Clock clock) {
        this.store = store;
        this.destinations = destinations;
        this.clock = clock;
        VapidKeys fresh = VapidKeys.generate();
        String json = ControlJson.write(new Keys(fresh.getX509PublicKey(), fresh.getPkcs8PrivateKey()));
        Keys kept = store.saveDocumentIfAbsent(KEYS_KIND, "vapid", json)
                .map(j -> ControlJson.read(j, Keys.class))
                .orElseGet(() -> ControlJson.read(json, Keys.class));
        VapidKeys keys = VapidKeys.create(kept.x509(), kept.pkcs8());
        this.webPush = new WebPush(subject, keys);
        this.publicKey = Base64.getUrlEncoder().withoutPadding().encodeToString(keys.getApplicationServerKey());
        store.documents(KIND).forEach((id, j) -> subscriptions.put(id, ControlJson.read(j, Stored.class)));
    }

    public void refresh(StoreChanges changes) {
        DocumentCache.refresh(
                store,
                KIND,
                changes,
                subscriptions.keySet(),
                (id, j) -> subscriptions.put(id, ControlJson.read(j, Stored.class)),
                subscriptions::remove);
    }

    /** The VAPID public key browsers subscribe with (base64url, uncompressed point). */
    public String publicKey() {
        return publicKey;
    }

    /** A recipient's subscriptions, oldest first. */
    public List<PushSubscription> of(String recipient) {
        return subscriptions.entrySet().stream()
                .filter(e -> e.getValue().recipient().equals(recipient))
                .sorted(Map.Entry.comparingByValue(java.util.Comparator.comparing(Stored::added)))
                .map(e -> view(e.getKey(), e.getValue()))
                .toList();
    }

    /** Whether a recipient has any subscription. */
    public boolean has(String recipient) {
        return subscriptions.values().stream().anyMatch(s -> s.recipient().equals(recipient));
    }

    /**
     * Adds (or, for an endpoint already subscribed, replaces) a subscription.
     *
     * @throws IllegalArgumentException why it cannot be used
     */
    public PushSubscription subscribe(String recipient, String endpoint, String p256dh, String auth) {
        if (endpoint == null || !endpoint.startsWith("https://") && !endpoint.startsWith("http://")) {
            // browsers give https:// URLs; http:// only reaches a push service in a range the operator allowed
            throw new IllegalArgumentException("endpoint: the push service's URL from the browser (https://…)");
        }
        if (endpoint.length() > 2048) {
            throw new IllegalArgumentException("endpoint: at most 2048 characters");
        }
        p256dh = normalize(p256dh);
        auth = normalize(auth);
        byte[] key = decode("keys.p256dh", p256dh);
        if (key.length != 65 || key[0] != 4) {
            throw new IllegalArgumentException("keys.p256dh: an uncompressed P-256 point (65 bytes), base64url");
        }
        if (decode("keys.auth", auth).length != 16) {
            throw new IllegalArgumentException("keys.auth: 16 bytes, base64url");
        }
        destinations.refusal(endpoint).ifPresent(reason -> {
            throw new IllegalArgumentException("endpoint: " + reason);
        });
        String id = id(endpoint);
        Stored existing = subscriptions.get(id);
        if (existing == null
                && subscriptions.values().stream()
                                .filter(s -> s.recipient().equals(recipient))
                                .count()
                        >= MAX_PER_RECIPIENT) {
            throw new IllegalArgumentException(
                    "at most " + MAX_PER_RECIPIENT + " browsers each; remove one you no longer use");
        }
        if (existing != null && !existing.recipient().equals(recipient)) {
            throw new IllegalArgumentException("endpoint: already subscribed by someone else");
        }
        Stored s = new Stored(recipient, endpoint, p256dh, auth, clock.instant());
        store.saveDocument(KIND, id, ControlJson.write(s));
        subscriptions.put(id, s);
        return view(id, s);
    }

    /** Removes a recipient's subscription; false when it has none by that id. */
    public boolean unsubscribe(String recipient, String id) {
        Stored s = subscriptions.get(id);
        if (s == null || !s.recipient().equals(recipient)) {
            return false;
        }
        store.deleteDocument(KIND, id);
        subscriptions.remove(id);
        return true;
    }

    /**
     * Pushes one message to one of a recipient's browsers. Empty when finished with it: it took the message,
     * unsubscribed (404 or 410: its subscription is removed), refused it for good (another 4xx but 429: logged, not
     * sent again) or is no longer subscribed; otherwise why it could not take it now (try again later).
     */
    public Optional<String> pushTo(String id, String recipient, byte[] payload) {
        Stored s = subscriptions.get(id);
        if (s == null || !s.recipient().equals(recipient)) {
            return Optional.empty();
        }
        return deliver(id, s, payload);
    }

    /** Delivers to one browser: empty when finished with it (see {@link #push}), else why it should be tried again. */
    private Optional<String> deliver(String id, Stored s, byte[] payload) {
        Optional<String> refused = destinations.refusal(s.endpoint());
        if (refused.isPresent()) {
            return Optional.of(origin(s.endpoint()) + ": " + refused.get());
        }
        int status;
        try {
            byte[] body = webPush.getBody(
                    payload,
                    Base64.getUrlDecoder().decode(s.p256dh()),
                    Base64.getUrlDecoder().decode(s.auth()));
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(s.endpoint()))
                    .timeout(Duration.ofSeconds(10))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body));
            webPush.getHeaders(s.endpoint(), TTL_SECONDS, null, WebPush.Urgency.High)
                    .forEach((name, value) -> {
                        if (!name.equalsIgnoreCase("content-length")) {
                            request.header(name, value);
                        }
                    });
            status = http.send(request.build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return Optional.of(origin(s.endpoint()) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        } catch (RuntimeException e) {
            // keys the library cannot use: this browser never gets a message
            LOG.warn("A push to {} could not be made, not sent: {}", origin(s.endpoint()), e.toString());
            return Optional.empty();
        }
        if (status / 100 == 2) {
            return Optional.empty();
        }
        if (status == 404 || status == 410) {
            LOG.info(
                    "A browser unsubscribed from {} ({}): its push subscription is removed",
                    origin(s.endpoint()),
                    status);
            unsubscribe(s.recipient(), id);
            return Optional.empty();
        }
        if (status / 100 == 4 && status != 429) {
            LOG.warn("{} refused a push ({}): not sent again", origin(s.endpoint()), status);
            return Optional.empty();
        }
        return Optional.of(origin(s.endpoint()) + " answered " + status);
    }

    private static PushSubscription view(String id, Stored s) {
        return new PushSubscription(id, origin(s.endpoint()), s.added());
    }

    private static String origin(String endpoint) {
        try {
            URI u = URI.create(endpoint);
            return u.getScheme() + "://" + u.getAuthority();
        } catch (IllegalArgumentException e) {
            return "?";
        }
    }

    /** Base64 or base64url, padded or not, as base64url without padding. */
    private static String normalize(String value) {
        return value == null
                ? ""
                : value.strip().replace('+', '-').replace('/', '_').replace("=", "");
    }

    private static byte[] decode(String field, String value) {
        try {
            return Base64.getUrlDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + ": not base64url");
        }
    }

    /** A subscription's id: the first 16 bytes of its endpoint's SHA-256, hex. */
    static String id(String endpoint) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(endpoint.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
