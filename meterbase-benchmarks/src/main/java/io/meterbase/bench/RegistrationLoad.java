package io.meterbase.bench;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The load generator of {@link RegistrationBenchmark}, in its own process: K known devices that report once a second
 * (seed 004's shape) and N new devices that report for the first time all at once (after N/5 others, so that the
 * code is compiled by then). Driven by commands on stdin:
 * {@code GO} provisions the known devices and starts their reports; {@code WARM} registers the N/5 others; {@code WINDOW} starts a latency window of the
 * known devices' acknowledgements; {@code REGISTER} sends the new devices' first messages (each sent again a second
 * after a refusal, as a device does) and prints {@code REGISTERED} when all are acknowledged; {@code AGAIN} sends
 * the same burst once more, from devices that are registered by then; {@code REPORT} prints
 * the window's latency; {@code STOP} ends. Only ever connects to the given host (loopback).
 *
 * <p>Arguments: host port password known new
 */
public final class RegistrationLoad {

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        String password = args[2];
        int known = Integer.parseInt(args[3]);
        int fresh = Integer.parseInt(args[4]);
        int warm = fresh / 5;
        List<Mqtt5AsyncClient> knownClients = connect(host, port, password, "known-", known);
        List<Mqtt5AsyncClient> warmClients = connect(host, port, password, "warm-", warm);
        List<Mqtt5AsyncClient> newClients = connect(host, port, password, "new-", fresh);
        System.out.println("CONNECTED " + (known + warm + fresh));
        System.out.flush();

        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        Recorder latency = new Recorder(3);
        AtomicLong failed = new AtomicLong();
        long base = System.currentTimeMillis() - 3_600_000L;
        ScheduledExecutorService ticks = Executors.newScheduledThreadPool(2);
        String line;
        while ((line = in.readLine()) != null) {
            switch (line) {
                case "GO" -> {
                    List<CompletableFuture<?>> first = new ArrayList<>();
                    for (int i = 0; i < known; i++) {
                        first.add(untilAcknowledged(knownClients.get(i), "known-" + i, base));
                    }
                    CompletableFuture.allOf(first.toArray(CompletableFuture[]::new))
                            .get(600, TimeUnit.SECONDS);
                    for (int i = 0; i < known; i++) {
                        Mqtt5AsyncClient c = knownClients.get(i);
                        String name = "known-" + i;
                        AtomicLong seq = new AtomicLong(1);
                        // each known device reports once a second, the devices spread over the second
                        ticks.scheduleAtFixedRate(
                                () -> {
                                    long sent = System.nanoTime();
                                    publish(c, name, base + seq.getAndIncrement() * 1000)
                                            .whenComplete((r, e) -> {
                                                if (e != null || failedAck(r)) {
                                                    failed.incrementAndGet();
                                                } else {
                                                    latency.recordValue((System.nanoTime() - sent) / 1000);
                                                }
                                            });
                                },
                                i * 1000L / Math.max(1, known),
                                1000,
                                TimeUnit.MILLISECONDS);
                    }
                    System.out.println("STREAMING " + known);
                }
                case "WINDOW" -> {
                    latency.reset();
                    failed.set(0);
                    System.out.println("WINDOW");
                }
                case "WARM" -> {
                    // a smaller burst of other new devices first, so that both programs run compiled code after
                    List<CompletableFuture<?>> first = new ArrayList<>(warm);
                    for (int i = 0; i < warm; i++) {
                        first.add(untilAcknowledged(warmClients.get(i), "warm-" + i, base));
                    }
                    CompletableFuture.allOf(first.toArray(CompletableFuture[]::new))
                            .get(900, TimeUnit.SECONDS);
                    System.out.println("WARMED " + warm);
                }
                case "REGISTER", "AGAIN" -> {
                    // AGAIN: the same devices once more, registered now: the same burst without registration
                    long ts = line.equals("REGISTER") ? base : base + 1000;
                    AtomicLong refusals = new AtomicLong();
                    long t0 = System.nanoTime();
                    List<CompletableFuture<?>> first = new ArrayList<>(fresh);
                    for (int i = 0; i < fresh; i++) {
                        first.add(untilAcknowledged(newClients.get(i), "new-" + i, ts, refusals));
                    }
                    CompletableFuture.allOf(first.toArray(CompletableFuture[]::new))
                            .get(900, TimeUnit.SECONDS);
                    double secs = (System.nanoTime() - t0) / 1e9;
                    System.out.printf(
                            Locale.ROOT,
                            "REGISTERED new_devices=%d seconds=%.2f devices_per_s=%.0f refused_then_resent=%d%n",
                            fresh,
                            secs,
                            fresh / secs,
                            refusals.get());
                }
                case "REPORT" -> {
                    Histogram h = latency.getIntervalHistogram();
                    System.out.printf(
                            Locale.ROOT,
                            "REPORT known_acks=%d p50_ms=%.1f p99_ms=%.1f max_ms=%.1f failed=%d%n",
                            h.getTotalCount(),
                            h.getValueAtPercentile(50) / 1000.0,
                            h.getValueAtPercentile(99) / 1000.0,
                            h.getMaxValue() / 1000.0,
                            failed.get());
                }
                case "STOP" -> {
                    ticks.shutdownNow();
                    System.out.println("DONE");
                    System.out.flush();
                    System.exit(0);
                }
                default -> System.out.println("UNKNOWN " + line);
            }
            System.out.flush();
        }
    }

    private static List<Mqtt5AsyncClient> connect(String host, int port, String password, String prefix, int n)
            throws Exception {
        List<Mqtt5AsyncClient> clients = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            clients.add(Mqtt5Client.builder()
                    .identifier(prefix + i)
                    .serverHost(host)
                    .serverPort(port)
                    .simpleAuth()
                    .username(prefix + i)
                    .password(password.getBytes(StandardCharsets.UTF_8))
                    .applySimpleAuth()
                    .buildAsync());
        }
        for (int from = 0; from < n; from += 200) {
            List<CompletableFuture<?>> connecting = new ArrayList<>();
            for (int i = from; i < Math.min(n, from + 200); i++) {
                connecting.add(clients.get(i).connectWith().cleanStart(true).send());
            }
            CompletableFuture.allOf(connecting.toArray(CompletableFuture[]::new))
                    .get(120, TimeUnit.SECONDS);
        }
        return clients;
    }

    private static CompletableFuture<Void> untilAcknowledged(Mqtt5AsyncClient c, String name, long ts) {
        return untilAcknowledged(c, name, ts, new AtomicLong());
    }

    /** Sends a device's message, again a second after each refusal, until it is acknowledged. */
    private static CompletableFuture<Void> untilAcknowledged(
            Mqtt5AsyncClient c, String name, long ts, AtomicLong refusals) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        attempt(c, name, ts, refusals, done);
        return done;
    }

    private static void attempt(
            Mqtt5AsyncClient c, String name, long ts, AtomicLong refusals, CompletableFuture<Void> done) {
        publish(c, name, ts).whenComplete((r, e) -> {
            if (e == null && !failedAck(r)) {
                done.complete(null);
            } else {
                refusals.incrementAndGet();
                CompletableFuture.delayedExecutor(1, TimeUnit.SECONDS)
                        .execute(() -> attempt(c, name, ts, refusals, done));
            }
        });
    }

    /** One QoS 1 message of 3 readings, as a smart plug sends them. */
    private static CompletableFuture<Mqtt5PublishResult> publish(Mqtt5AsyncClient c, String name, long ts) {
        return c.publishWith()
                .topic("meterbase/" + name + "/up")
                .qos(MqttQos.AT_LEAST_ONCE)
                .payload(Payloads.plug(name, ts))
                .send();
    }

    private static boolean failedAck(Mqtt5PublishResult result) {
        return result.getError().isPresent()
                || (result instanceof Mqtt5PublishResult.Mqtt5Qos1Result q
                        && q.getPubAck().getReasonCode().isError());
    }
}
