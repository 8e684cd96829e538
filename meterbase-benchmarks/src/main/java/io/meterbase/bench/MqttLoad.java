package io.meterbase.bench;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;

/**
 * The MQTT load generator, run as its own process by {@link MqttBenchmark}: connects N MQTT 5 clients, reports
 * CONNECTED, waits for GO on stdin, has each client send one message and waits for all their PUBACKs (this
 * registers the devices, which is provisioning rather than ingest), then each client keeps a fixed number of
 * QoS 1 messages of 3 readings in flight for the given seconds (after a warm-up), and prints RESULT with
 * acknowledged messages per second, publish-to-PUBACK latency and failures. Only ever connects to the given host (loopback).
 *
 * <p>Arguments: host port password(or - for none) devices inflight seconds
 */
public final class MqttLoad {

    private static final int WARMUP_SECONDS = 5;

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        String password = args[2];
        int devices = Integer.parseInt(args[3]);
        int inflight = Integer.parseInt(args[4]);
        int seconds = Integer.parseInt(args[5]);

        List<Mqtt5AsyncClient> clients = new ArrayList<>(devices);
        for (int i = 0; i < devices; i++) {
            Mqtt5ClientBuilder b = Mqtt5Client.builder()
                    .identifier("bench-" + i)
                    .serverHost(host)
                    .serverPort(port);
            if (!password.equals("-")) {
                b = b.simpleAuth()
                        .username("dev-" + i)
                        .password(password.getBytes(StandardCharsets.UTF_8))
                        .applySimpleAuth();
            }
            clients.add(b.buildAsync());
        }
        for (int from = 0; from < devices; from += 200) {
            List<CompletableFuture<?>> connecting = new ArrayList<>();
            for (int i = from; i < Math.min(devices, from + 200); i++) {
                connecting.add(clients.get(i).connectWith().cleanStart(true).send());
            }
            CompletableFuture.allOf(connecting.toArray(CompletableFuture[]::new))
                    .get(120, TimeUnit.SECONDS);
        }
        System.out.println("CONNECTED " + devices);
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        if (!"GO".equals(in.readLine())) {
            return;
        }

        Recorder latency = new Recorder(3);
        AtomicLong acked = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicBoolean measuring = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean(seconds <= 0);
        AtomicLong outstanding = new AtomicLong();
        long base = System.currentTimeMillis() - 86_400_000L;
        List<Sender> senders = new ArrayList<>(devices);
        for (int i = 0; i < devices; i++) {
            senders.add(
                    new Sender(clients.get(i), "dev-" + i, base, latency, acked, failed, measuring, stop, outstanding));
        }
        if (inflight > 0) {
            // provisioning, not ingest: each device's first message registers it and its channels; wait for all
            List<CompletableFuture<?>> first = new ArrayList<>(devices);
            for (Sender s : senders) {
                first.add(s.first());
            }
            CompletableFuture.allOf(first.toArray(CompletableFuture[]::new)).get(300, TimeUnit.SECONDS);
            acked.set(0);
            failed.set(0);
        }
        for (Sender s : senders) {
            for (int k = 0; k < inflight; k++) {
                s.next();
            }
        }
        if (seconds > 0) {
            Thread.sleep(WARMUP_SECONDS * 1000L);
            latency.reset();
            long a0 = acked.get();
            long f0 = failed.get();
            long t0 = System.nanoTime();
            measuring.set(true);
            Thread.sleep(seconds * 1000L);
            long a1 = acked.get();
            long f1 = failed.get();
            double secs = (System.nanoTime() - t0) / 1e9;
            stop.set(true);
            var h = latency.getIntervalHistogram();
            System.out.printf(
                    Locale.ROOT,
                    "RESULT msgs_per_s=%.0f readings_per_s=%.0f p50_ms=%.1f p99_ms=%.1f max_ms=%.1f failed=%d%n",
                    (a1 - a0) / secs,
                    3 * (a1 - a0) / secs,
                    h.getValueAtPercentile(50) / 1000.0,
                    h.getValueAtPercentile(99) / 1000.0,
                    h.getMaxValue() / 1000.0,
                    f1 - f0);
        }
        long deadline = System.currentTimeMillis() + 60_000;
        while (outstanding.get() > 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        List<CompletableFuture<?>> closing = new ArrayList<>();
        for (Mqtt5AsyncClient c : clients) {
            closing.add(c.disconnect());
        }
        CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        System.out.println("DONE");
        System.exit(0);
    }

    /** One device: sends the next message whenever one is acknowledged, until told to stop. */
    private record Sender(
            Mqtt5AsyncClient client,
            String name,
            long base,
            Recorder latency,
            AtomicLong acked,
            AtomicLong failed,
            AtomicBoolean measuring,
            AtomicBoolean stop,
            AtomicLong outstanding,
            AtomicLong seq) {

        Sender(
                Mqtt5AsyncClient client,
                String name,
                long base,
                Recorder latency,
                AtomicLong acked,
                AtomicLong failed,
                AtomicBoolean measuring,
                AtomicBoolean stop,
                AtomicLong outstanding) {
            this(client, name, base, latency, acked, failed, measuring, stop, outstanding, new AtomicLong());
        }

        /**
         * Sends one message and nothing after it; completes when it is acknowledged, sending it again (after a
         * second) while it is refused, as a device does.
         */
        CompletableFuture<?> first() {
            CompletableFuture<Void> done = new CompletableFuture<>();
            firstTry(done);
            return done;
        }

        private void firstTry(CompletableFuture<Void> done) {
            client.publishWith()
                    .topic("meterbase/" + name + "/up")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .payload(Payloads.plug(name, base - 1000))
                    .send()
                    .whenComplete((result, error) -> {
                        if (error == null && !failedAck(result)) {
                            done.complete(null);
                        } else {
                            CompletableFuture.delayedExecutor(1, TimeUnit.SECONDS)
                                    .execute(() -> firstTry(done));
                        }
                    });
        }

        void next() {
            send(true);
        }

        private CompletableFuture<?> send(boolean more) {
            if (stop.get()) {
                return CompletableFuture.completedFuture(null);
            }
            long ts = base + seq.getAndIncrement() * 1000;
            byte[] payload = Payloads.plug(name, ts);
            long sent = System.nanoTime();
            outstanding.incrementAndGet();
            return client.publishWith()
                    .topic("meterbase/" + name + "/up")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .payload(payload)
                    .send()
                    .whenComplete((result, error) -> {
                        outstanding.decrementAndGet();
                        if (error != null || failedAck(result)) {
                            failed.incrementAndGet();
                        } else {
                            acked.incrementAndGet();
                            if (measuring.get()) {
                                latency.recordValue((System.nanoTime() - sent) / 1000);
                            }
                        }
                        if (more) {
                            next();
                        }
                    });
        }

        private static boolean failedAck(Mqtt5PublishResult result) {
            return result.getError().isPresent()
                    || (result instanceof Mqtt5PublishResult.Mqtt5Qos1Result q
                            && q.getPubAck().getReasonCode().isError());
        }
    }
}
