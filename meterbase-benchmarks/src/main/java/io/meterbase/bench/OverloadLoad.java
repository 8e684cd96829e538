package io.meterbase.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;

/**
 * The HTTP load generator of {@link OverloadBenchmark}, in its own process. Uploads are a gateway's 100 meters with
 * 100 channels each (10,000 readings) at one time, a new time per upload, so that every upload is new data and its
 * body costs the generator almost nothing to make. First it measures what the server takes with a few clients
 * sending back to back ({@code CAPACITY}); then it offers ten times that, on a fixed schedule whatever the answers
 * ({@code OVERLOAD}), and prints the answer times by status. Only ever connects to the given port on 127.0.0.1.
 *
 * <p>Arguments: port key
 */
public final class OverloadLoad {

    static final int METERS = 100;
    static final int CHANNELS = 100;
    static final int READINGS = METERS * CHANNELS;
    private static final JsonFactory JSON = new JsonFactory();

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        String key = args[1];
        byte[] nodes = nodes();
        HttpClient http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .executor(Executors.newVirtualThreadPerTaskExecutor())
                .build();
        URI uri = URI.create("http://127.0.0.1:" + port + "/api/v1/upload");
        AtomicLong clock = new AtomicLong(System.currentTimeMillis() - 20 * 86_400_000L);
        System.out.println("READY");
        System.out.flush();
        java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in));
        String line;
        while ((line = in.readLine()) != null) {
            String[] cmd = line.split(" ");
            switch (cmd[0]) {
                case "CAPACITY" ->
                    capacity(http, uri, key, nodes, clock, Integer.parseInt(cmd[1]), Integer.parseInt(cmd[2]));
                case "OVERLOAD" ->
                    overload(http, uri, key, nodes, clock, Double.parseDouble(cmd[1]), Integer.parseInt(cmd[2]));
                case "STOP" -> {
                    System.out.println("DONE");
                    System.out.flush();
                    System.exit(0);
                }
                default -> System.out.println("UNKNOWN " + line);
            }
            System.out.flush();
        }
    }

    /** Clients sending back to back for a while: the readings a second the server takes. */
    private static void capacity(
            HttpClient http, URI uri, String key, byte[] nodes, AtomicLong clock, int clients, int seconds)
            throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong accepted = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long t0 = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            pool.submit(() -> {
                while (!stop.get()) {
                    int status = send(http, uri, key, body(nodes, clock.addAndGet(1000)))
                            .statusCode();
                    (status == 200 ? accepted : refused).incrementAndGet();
                }
                return null;
            });
        }
        Thread.sleep(seconds * 1000L);
        stop.set(true);
        pool.shutdown();
        pool.awaitTermination(60, TimeUnit.SECONDS);
        double secs = (System.nanoTime() - t0) / 1e9;
        System.out.printf(
                Locale.ROOT,
                "CAPACITY readings_per_s=%.0f uploads_per_s=%.1f accepted=%d refused=%d%n",
                accepted.get() * READINGS / secs,
                accepted.get() / secs,
                accepted.get(),
                refused.get());
    }

    /**
     * Uploads at a fixed rate for a while, each on its own virtual thread, at most 2,000 waiting for their answer
     * (beyond that they are counted as not sent). Prints answer times by status and the readings accepted.
     */
    private static void overload(
            HttpClient http, URI uri, String key, byte[] nodes, AtomicLong clock, double perSecond, int seconds)
            throws Exception {
        Recorder all = new Recorder(3);
        Recorder ok = new Recorder(3);
        Recorder busy = new Recorder(3);
        AtomicLong accepted = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        AtomicLong other = new AtomicLong();
        AtomicLong notSent = new AtomicLong();
        Semaphore outstanding = new Semaphore(2_000);
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        long interval = (long) (1e9 / perSecond);
        long start = System.nanoTime();
        long total = (long) (perSecond * seconds);
        for (long i = 0; i < total; i++) {
            long due = start + i * interval;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            if (!outstanding.tryAcquire()) {
                notSent.incrementAndGet();
                continue;
            }
            byte[] body = body(nodes, clock.addAndGet(1000));
            threads.submit(() -> {
                long sent = System.nanoTime();
                int status;
                try {
                    status = send(http, uri, key, body).statusCode();
                } catch (Exception e) {
                    status = -1;
                } finally {
                    outstanding.release();
                }
                long micros = (System.nanoTime() - sent) / 1000;
                all.recordValue(micros);
                if (status == 200) {
                    ok.recordValue(micros);
                    accepted.incrementAndGet();
                } else if (status == 503) {
                    busy.recordValue(micros);
                    refused.incrementAndGet();
                } else {
                    other.incrementAndGet();
                }
            });
        }
        threads.shutdown();
        threads.awaitTermination(120, TimeUnit.SECONDS);
        double secs = (System.nanoTime() - start) / 1e9;
        var a = all.getIntervalHistogram();
        var o = ok.getIntervalHistogram();
        var b = busy.getIntervalHistogram();
        System.out.printf(
                Locale.ROOT,
                "OVERLOAD offered_uploads_per_s=%.1f seconds=%.1f answered=%d accepted=%d refused_503=%d other=%d"
                        + " not_sent=%d accepted_readings=%d all_p50_ms=%.1f all_p99_ms=%.1f all_max_ms=%.1f"
                        + " accepted_p50_ms=%.1f accepted_p99_ms=%.1f refused_p50_ms=%.1f refused_p99_ms=%.1f%n",
                perSecond,
                secs,
                a.getTotalCount(),
                accepted.get(),
                refused.get(),
                other.get(),
                notSent.get(),
                accepted.get() * READINGS,
                a.getValueAtPercentile(50) / 1000.0,
                a.getValueAtPercentile(99) / 1000.0,
                a.getMaxValue() / 1000.0,
                o.getValueAtPercentile(50) / 1000.0,
                o.getValueAtPercentile(99) / 1000.0,
                b.getValueAtPercentile(50) / 1000.0,
                b.getValueAtPercentile(99) / 1000.0);
    }

    private static HttpResponse<Void> send(HttpClient http, URI uri, String key, byte[] body)
            throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(uri)
                        .header("Authorization", "Bearer " + key)
                        .timeout(Duration.ofSeconds(120))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(),
                HttpResponse.BodyHandlers.discarding());
    }

    /** The meters and their channels, without times (they take the upload's), written once. */
    static byte[] nodes() {
        ObjectMapper mapper = new ObjectMapper();
        ArrayNode nodes = mapper.createArrayNode();
        for (int m = 0; m < METERS; m++) {
            ArrayNode readings = nodes.addObject().put("id", "meter-" + m).putArray("readings");
            for (int c = 0; c < CHANNELS; c++) {
                readings.addObject()
                        .put("channel", "c" + c)
                        .put("quantity", "active_power")
                        .put("unit", "W")
                        .put("value", 100 + (m * 31 + c) % 900);
            }
        }
        return Payloads.bytes(nodes);
    }

    /** An upload of the meters at {@code ts}, written with Jackson around the prepared meters. */
    static byte[] body(byte[] nodes, long ts) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(nodes.length + 64);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("gateway", "overload-gw");
            g.writeNumberField("ts", ts);
            g.writeFieldName("nodes");
            g.writeRawValue(new String(nodes, java.nio.charset.StandardCharsets.UTF_8));
            g.writeEndObject();
        }
        return out.toByteArray();
    }
}
