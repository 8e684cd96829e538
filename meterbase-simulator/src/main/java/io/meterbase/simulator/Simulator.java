package io.meterbase.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Simulated homes posting to a Meterbase server's gateway upload API: first a backfill of past hours, then every
 * interval in real time, until closed. A refused upload (for example 503 under load) is sent again.
 */
public final class Simulator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Simulator.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI uploadUri;
    private final List<Home> homes = new ArrayList<>();
    private final List<String> keys;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "meterbase-simulator");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong sent = new AtomicLong();
    /** Homes whose live posting waits for their history (see {@link #holdAll}). */
    private final java.util.Set<Integer> held = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final AtomicLong failed = new AtomicLong();

    /** One home per key, posting to {@code baseUri}/api/v1/upload; one home in three has solar panels. */
    public Simulator(URI baseUri, List<String> keys, ZoneId zone) {
        this(baseUri, keys, zone, Home::hasPanels);
    }

    /** One home per key; {@code panels} says which homes (numbered from 1) have solar panels. */
    public Simulator(URI baseUri, List<String> keys, ZoneId zone, java.util.function.IntPredicate panels) {
        this.uploadUri = baseUri.resolve("/api/v1/upload");
        this.keys = List.copyOf(keys);
        for (int i = 0; i < keys.size(); i++) {
            homes.add(new Home(i + 1, zone, panels.test(i + 1)));
        }
    }

    public List<Home> homes() {
        return homes;
    }

    /** Posts {@code hours} of past data at {@code step} resolution, oldest first, and returns readings sent. */
    public long backfill(long now, int hours, Duration step) {
        long readings = 0;
        for (int h = 0; h < homes.size(); h++) {
            readings += backfill(h, now, hours, step);
        }
        return readings;
    }

    /**
     * Posts {@code hours} of one home's past data (home {@code home}, from 0) at {@code step} resolution, oldest
     * first, and returns the readings sent. A home's history must be sent before its live data.
     */
    public long backfill(int home, long now, int hours, Duration step) {
        long stepMs = step.toMillis();
        int moments = (int) (hours * 3_600_000L / stepMs);
        long start = now - moments * stepMs;
        int perUpload = 60;
        long readings = 0;
        Home h = homes.get(home);
        for (int m = 0; m < moments; m += perUpload) {
            int n = Math.min(perUpload, moments - m);
            post(home, h.upload(start + m * stepMs, n, stepMs));
            readings += (long) n * h.readingsPerMoment();
        }
        return readings;
    }

    /**
     * Keeps every home out of the live posting until {@link #release} names it (while its history is still being
     * sent: a home's readings go oldest first).
     */
    public void holdAll() {
        for (int h = 0; h < homes.size(); h++) {
            held.add(h);
        }
    }

    /** Lets a held home post live data from the next interval on. */
    public void release(int home) {
        held.remove(home);
    }

    /** Starts posting every {@code interval} in real time. */
    public void start(Duration interval) {
        long ms = interval.toMillis();
        timer.scheduleAtFixedRate(
                () -> {
                    long now = System.currentTimeMillis();
                    for (int h = 0; h < homes.size(); h++) {
                        if (!held.contains(h)) {
                            post(h, homes.get(h).upload(now, ms));
                        }
                    }
                },
                0,
                ms,
                TimeUnit.MILLISECONDS);
    }

    private void post(int home, String body) {
        String key = keys.get(home);
        HttpRequest req = HttpRequest.newBuilder(uploadUri)
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        for (int attempt = 1; attempt <= 5; attempt++) {
            try {
                HttpResponse<String> res = http.send(req, HttpResponse.BodyHandlers.ofString());
                if (res.statusCode() == 200) {
                    sent.incrementAndGet();
                    obey(home, res.body());
                    return;
                }
                if (res.statusCode() != 503) {
                    LOG.warn("Upload refused with {}: {}", res.statusCode(), res.body());
                    failed.incrementAndGet();
                    return;
                }
                Thread.sleep(200L * attempt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                LOG.debug("Upload failed: {}", e.toString());
            }
        }
        failed.incrementAndGet();
    }

    /**
     * Carries out the relay commands in the server's answer, as the home's gateway would, and reports each one
     * done: a switched-off appliance draws standby power only from the next reading on.
     */
    private void obey(int home, String answer) {
        try {
            for (JsonNode c : JSON.readTree(answer).path("commands")) {
                String node = c.path("node").asText("");
                String relay = c.path("relay").asText("");
                String id = c.path("id").asText(null);
                boolean known = node.startsWith("plug-") && !relay.isEmpty();
                Boolean on = null;
                if (known) {
                    int plug = Integer.parseInt(node.substring(5)) - 1;
                    on = homes.get(home).switchRelay(plug, relay);
                }
                if (id != null) {
                    String ack = (on == null
                                    ? JSON.createObjectNode()
                                            .put("status", "failed")
                                            .put("detail", "the simulated home only switches relays")
                                    : JSON.createObjectNode()
                                            .put("status", "done")
                                            .put("relay", on ? "on" : "off"))
                            .toString();
                    http.send(
                            HttpRequest.newBuilder(uploadUri.resolve("/api/v1/commands/" + id + "/ack"))
                                    .header("Authorization", "Bearer " + keys.get(home))
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString(ack))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.debug("A command in the answer could not be carried out: {}", e.toString());
        }
    }

    public long sent() {
        return sent.get();
    }

    public long failed() {
        return failed.get();
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
