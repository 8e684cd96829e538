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
 * counted; deliveries never hold up the alarm service.
 */
public final class Webhooks implements WebhooksApi, AlarmListener, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Webhooks.class);
    private static final String KIND = "webhook";
    private static final int ATTEMPTS = 6;

    private final DocumentStore store;
    private final long firstRetryMillis;
    private final Map<String, Webhook> hooks = new ConcurrentHashMap<>();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "meterbase-webhooks");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    public Webhooks(DocumentStore store, Duration firstRetry) {
        this.store = store;
        this.firstRetryMillis = firstRetry.toMillis();
        store.documents(KIND).values().forEach(json -> {
            Webhook w = ControlJson.read(json, StoredWebhook.class).toApi();
            hooks.put(w.id(), w);
        });
    }

    /** Takes in the webhooks other nodes sharing the store added or removed. */
    public void refresh(StoreChanges changes) {
        DocumentCache.refresh(
                store,
                KIND,
                changes,
                hooks.keySet(),
                (id, json) -> hooks.put(
                        id, ControlJson.read(json, StoredWebhook.class).toApi()),
                hooks::remove);
    }

    public Webhook add(@Nullable Long customerId, String url) {
        byte[] b = new byte[6];
        new SecureRandom().nextBytes(b);
        Webhook w = new Webhook("hook-" + HexFormat.of().formatHex(b), customerId, url);
        store.saveDocument(KIND, w.id(), ControlJson.write(StoredWebhook.of(w)));
        hooks.put(w.id(), w);
        return w;
    }

    public boolean remove(String id, @Nullable Long customerId) {
        Webhook w = hooks.get(id);
        if (w == null || (customerId != null && !customerId.equals(w.customerId()))) {
            return false;
        }
        store.deleteDocument(KIND, id);
        hooks.remove(id);
        return true;
    }

    public List<Webhook> of(@Nullable Long customerId) {
        return hooks.values().stream()
                .filter(w -> customerId == null || customerId.equals(w.customerId()))
                .sorted((a, b) -> a.id().compareTo(b.id()))
                .toList();
    }

    @Override
    public void changed(Alarm alarm) {
        String body = ControlJson.write(alarm);
        for (Webhook w : hooks.values()) {
            if (w.customerId() == null || w.customerId() == alarm.customerId()) {
                retries.execute(() -> attempt(w, body, 1));
            }
        }
    }

    private void attempt(Webhook w, String body, int attempt) {
        try {
            HttpResponse<Void> r = http.send(
                    HttpRequest.newBuilder(URI.create(w.url()))
                            .header("Content-Type", "application/json")
                            .header("User-Agent", "Meterbase")
                            .timeout(Duration.ofSeconds(10))
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
            if (r.statusCode() / 100 == 2) {
                delivered.incrementAndGet();
                return;
            }
            retry(w, body, attempt, "answered " + r.statusCode());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            retry(w, body, attempt, e.toString());
        }
    }

    private void retry(Webhook w, String body, int attempt, String why) {
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
