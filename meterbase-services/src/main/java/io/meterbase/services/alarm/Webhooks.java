package io.meterbase.services.alarm;

import io.meterbase.core.api.alarm.Alarm;
import io.meterbase.core.api.alarm.Webhook;
import io.meterbase.core.api.alarm.WebhooksApi;
import io.meterbase.core.store.DocumentCache;
import io.meterbase.core.store.DocumentStore;
import io.meterbase.core.store.StoreChanges;
import io.meterbase.services.json.ControlJson;
import io.meterbase.services.stored.StoredWebhook;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts every alarm change as JSON to the webhooks of its customer and to the operators' webhooks. A delivery that
 * fails (no answer, or not 2xx) is tried again after 1, 2, 4, 8 and 16 s (6 attempts in all), then given up and
 * counted; deliveries never hold up the alarm service. Only public addresses are posted to (see {@link
 * WebhookDestinations}, checked when a webhook is added and before each delivery), redirects are not followed, and
 * every delivery is signed: header {@code Meterbase-Timestamp} (Unix seconds) and {@code Meterbase-Signature: v1=}
 * the hex HMAC-SHA256, keyed with the webhook's secret, of the timestamp, a dot and the body.
 */
public final class Webhooks implements WebhooksApi, AlarmListener, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Webhooks.class);
    private static final String KIND = "webhook";
    private static final int ATTEMPTS = 6;
    static final String TIMESTAMP_HEADER = "Meterbase-Timestamp";
    static final String SIGNATURE_HEADER = "Meterbase-Signature";

    private final DocumentStore store;
    private final long firstRetryMillis;
    private final WebhookDestinations destinations;
    private final Map<String, StoredWebhook> hooks = new ConcurrentHashMap<>();
    private final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "meterbase-webhooks");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final java.time.Clock clock;

    public Webhooks(DocumentStore store, Duration firstRetry, WebhookDestinations destinations, java.time.Clock clock) {
        this.store = store;
        this.firstRetryMillis = firstRetry.toMillis();
        this.destinations = destinations;
        this.clock = clock;
        store.documents(KIND).forEach((id, json) -> hooks.put(id, ControlJson.read(json, StoredWebhook.class)));
    }

    /** Takes in the webhooks other nodes sharing the store added or removed. */
    public void refresh(StoreChanges changes) {
        DocumentCache.refresh(
                store,
                KIND,
                changes,
                hooks.keySet(),
                (id, json) -> hooks.put(id, ControlJson.read(json, StoredWebhook.class)),
                hooks::remove);
    }

    @Override
    public Created add(
            @Nullable Long customerId,
            String url,
            List<String> types,
            io.meterbase.core.api.alarm.@Nullable Severity minSeverity) {
        Webhook w = new Webhook("hook-" + HexFormat.of().formatHex(random(6)), customerId, url, types, minSeverity);
        destinations.refusal(url).ifPresent(reason -> {
            throw new IllegalArgumentException("webhook url refused: " + reason);
        });
        return save(new StoredWebhook(
                w.id(), customerId, w.url(), newSecret(), w.types().isEmpty() ? null : w.types(), minSeverity));
    }

    @Override
    public Optional<Created> newSecret(String id, @Nullable Long customerId) {
        StoredWebhook w = hooks.get(id);
        if (w == null || (customerId != null && !customerId.equals(w.customerId()))) {
            return Optional.empty();
        }
        return Optional.of(
                save(new StoredWebhook(w.id(), w.customerId(), w.url(), newSecret(), w.types(), w.minSeverity())));
    }

    private Created save(StoredWebhook w) {
        store.saveDocument(KIND, w.id(), ControlJson.write(w));
        hooks.put(w.id(), w);
        return new Created(w.id(), w.customerId(), w.url(), java.util.Objects.requireNonNull(w.secret()));
    }

    private static String newSecret() {
        return "whsec_" + HexFormat.of().formatHex(random(24));
    }

    private static byte[] random(int bytes) {
        byte[] b = new byte[bytes];
        new SecureRandom().nextBytes(b);
        return b;
    }

    @Override
    public boolean remove(String id, @Nullable Long customerId) {
        StoredWebhook w = hooks.get(id);
        if (w == null || (customerId != null && !customerId.equals(w.customerId()))) {
            return false;
        }
        store.deleteDocument(KIND, id);
        hooks.remove(id);
        return true;
    }

    @Override
    public List<Webhook> of(@Nullable Long customerId) {
        return hooks.values().stream()
                .filter(w -> customerId == null || customerId.equals(w.customerId()))
                .map(StoredWebhook::toApi)
                .sorted((a, b) -> a.id().compareTo(b.id()))
                .toList();
    }

    @Override
    public void changed(Alarm alarm) {
        String body = ControlJson.write(alarm);
        for (StoredWebhook w : hooks.values()) {
            if ((w.customerId() == null || w.customerId() == alarm.customerId())
                    && w.toApi().takes(alarm)) {
                retries.execute(() -> attempt(w, body, 1));
            }
        }
    }

    /** The signature of a delivery: {@code v1=} and the hex HMAC-SHA256 of {@code timestamp + "." + body}. */
    static String signature(String secret, long timestamp, String body) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(
                    secret.getBytes(java.nio.charset.StandardCharsets.UTF_8), "HmacSHA256"));
            return "v1="
                    + HexFormat.of()
                            .formatHex(mac.doFinal(
                                    (timestamp + "." + body).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is part of every JDK", e);
        }
    }

    private void attempt(StoredWebhook first, String body, int attempt) {
        StoredWebhook w = hooks.get(first.id());
        if (w == null) {
            return; // removed meanwhile: not delivered any more
        }
        try {
            Optional<String> refused = destinations.refusal(w.url());
            if (refused.isPresent()) {
                // the name resolves into a private network now: never posted there
                failed.incrementAndGet();
                LOG.warn("Webhook {} ({}) not delivered: {}", w.id(), w.url(), refused.get());
                return;
            }
            long timestamp = clock.instant().getEpochSecond();
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(w.url()))
                    .header("Content-Type", "application/json")
                    .header("User-Agent", "Meterbase")
                    .header(TIMESTAMP_HEADER, Long.toString(timestamp))
                    .timeout(Duration.ofSeconds(10))
                    .POST(HttpRequest.BodyPublishers.ofString(body));
            String secret = w.secret();
            if (secret != null) {
                request.header(SIGNATURE_HEADER, signature(secret, timestamp, body));
            }
            HttpResponse<Void> r = http.send(request.build(), HttpResponse.BodyHandlers.discarding());
            if (r.statusCode() / 100 == 2) {
                delivered.incrementAndGet();
                return;
            }
            if (r.statusCode() / 100 == 3) {
                failed.incrementAndGet();
                LOG.warn(
                        "Webhook {} ({}) answered a redirect ({}), which is not followed: not delivered",
                        w.id(),
                        w.url(),
                        r.statusCode());
                return;
            }
            retry(w, body, attempt, "answered " + r.statusCode());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            retry(w, body, attempt, e.toString());
        }
    }

    private void retry(StoredWebhook w, String body, int attempt, String why) {
        if (attempt >= ATTEMPTS) {
            failed.incrementAndGet();
            LOG.warn("Webhook {} ({}) given up after {} attempts: {}", w.id(), w.url(), attempt, why);
            return;
        }
        long delay = firstRetryMillis << (attempt - 1);
        retries.schedule(() -> attempt(w, body, attempt + 1), delay, TimeUnit.MILLISECONDS);
    }

    public long delivered() {
        return delivered.get();
    }

    public long failed() {
        return failed.get();
    }

    @Override
    public void close() {
        retries.shutdownNow();
    }
}
