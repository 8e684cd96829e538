package io.meterbase.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import io.meterbase.core.auth.Principal;
import io.meterbase.core.model.Channel;
import io.meterbase.core.model.Device;
import io.meterbase.core.model.Reading;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The web pages (static files under {@code /io/meterbase/http/web}, charts from WebJars; nothing is fetched from
 * elsewhere) and the live stream they show: {@code GET /api/v1/live}, Server-Sent Events of a customer's newest
 * readings, at most one event a second per client, as soon as they are durable.
 */
final class WebPages {

    /** Pages load scripts, styles and data from this server only. */
    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            + " connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    /** Whether a path names a static file of the pages (served with their own headers), not an answer of the API. */
    static boolean isStaticFile(String path) {
        return path.equals("/")
                || (path.endsWith(".html") && !path.startsWith("/api/"))
                || path.equals("/sw.js")
                || path.startsWith("/css/")
                || path.startsWith("/js/")
                || path.startsWith("/webjars/");
    }

    private static final String CUSTOMER = "meterbase.live-customer";
    private static final int QUEUE = 256;

    /** One open stream: whose readings it shows and what waits to be sent. */
    private record Listener(long customer, BlockingQueue<Reading> queue) {}

    private final ApiContext api;
    private final Set<Listener> listeners = ConcurrentHashMap.newKeySet();

    WebPages(ApiContext api) {
        this.api = api;
        api.live().subscribe(this::onDurable);
    }

    void register(Javalin app) {
        app.before("/api/v1/live", ctx -> ctx.attribute(CUSTOMER, customer(ctx)));
        app.sse("/api/v1/live", this::stream);
    }

    /** The customer whose readings a stream shows: the caller's own, or (operators) {@code ?customer=}. */
    private long customer(Context ctx) {
        return ControlRoutes.customer(ctx, api);
    }

    /** Called on the writer thread: hands each reading to the streams of its customer, never blocking. */
    private void onDurable(List<Reading> readings) {
        if (listeners.isEmpty()) {
            return;
        }
        for (Reading r : readings) {
            Channel c = api.registry().channel(r.channelId()).orElse(null);
            if (c == null) {
                continue;
            }
            Device d = api.registry().device(c.deviceId()).orElse(null);
            if (d == null) {
                continue;
            }
            for (Listener l : listeners) {
                if (l.customer() == d.customerId()) {
                    l.queue().offer(r); // a full queue drops the oldest news only: the next value replaces it
                }
            }
        }
    }

    /**
     * Whether the credential that opened a stream still works: its key not revoked or expired, its session not ended
     * (checked before each event and at least every 15 s).
     */
    private boolean stillSignedIn(@Nullable Principal p, @Nullable String cookie) {
        if (p == null) {
            return false;
        }
        if (p.keyId() > 0) {
            return api.registry()
                    .key(p.keyId())
                    .map(k -> !k.revoked() && !k.expired(api.clock().instant()))
                    .orElse(false);
        }
        return api.sessions().use(cookie).isPresent();
    }

    private void stream(SseClient client) {
        long customer = java.util.Objects.requireNonNull(
                client.ctx().<Long>attribute(CUSTOMER), "the live stream is opened by a signed-in customer");
        // read while the request is being handled (the stream's thread outlives it)
        Principal principal = client.ctx().attribute(Requests.PRINCIPAL);
        String cookie = client.ctx().cookie(io.meterbase.identity.Sessions.COOKIE);
        Listener listener = new Listener(customer, new ArrayBlockingQueue<>(QUEUE));
        listeners.add(listener);
        client.keepAlive();
        client.onClose(() -> listeners.remove(listener));
        Thread.ofVirtual().name("live-" + customer).start(() -> {
            try {
                client.sendEvent(
                        "hello",
                        ApiJson.MAPPER
                                .createObjectNode()
                                .put("customer", customer)
                                .toString());
                while (!client.terminated() && stillSignedIn(principal, cookie)) {
                    Reading first = listener.queue().poll(15, TimeUnit.SECONDS);
                    if (first == null) {
                        client.sendComment("keep-alive");
                        continue;
                    }
                    Thread.sleep(1000); // gather a second's worth into one event
                    Map<Integer, Reading> newest = new LinkedHashMap<>();
                    newest.put(first.channelId(), first);
                    Reading r;
                    while ((r = listener.queue().poll()) != null) {
                        newest.merge(r.channelId(), r, (a, b) -> b.timestamp() >= a.timestamp() ? b : a);
                    }
                    client.sendEvent("readings", json(newest.values()));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                // the browser went away while we wrote
            } finally {
                listeners.remove(listener);
                client.close();
            }
        });
    }

    private String json(Iterable<Reading> readings) {
        List<Map<String, Object>> out = new java.util.ArrayList<>();
        for (Reading r : readings) {
            Channel c = api.registry().channel(r.channelId()).orElse(null);
            if (c == null) {
                continue;
            }
            Device d = api.registry().device(c.deviceId()).orElse(null);
            if (d == null) {
                continue;
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("channel", c.id());
            m.put("device", d.ref());
            m.put("name", c.name());
            m.put("quantity", c.quantity().key());
            m.put("unit", c.unit().symbol());
            m.put("value", r.value());
            m.put("ts", r.timestamp());
            out.add(m);
        }
        try {
            return ApiJson.MAPPER.writeValueAsString(out);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
