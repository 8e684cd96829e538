package io.meterbase.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 during full-speed ingest, again and again on the same data: 20 trials, half over HTTP and half over MQTT
 * (QoS 1, the PUBACK as acknowledgement), each killed after a random time. Then every acknowledged reading is there
 * exactly once, and resending what was acknowledged and what was not (as a gateway would) stores nothing twice.
 */
class CrashTrialsTest {

    private static final int TRIALS = 20;
    private static final int HTTP_BATCH = 2_000;
    private static final int MQTT_BATCH = 100;

    @TempDir
    Path tmp;

    @Test
    void killDuringIngest_losesNothingAcknowledged_andStoresNothingTwice() throws Exception {
        Path data = tmp.resolve("data");
        Ledger ledger = new Ledger();
        Random random = new Random(42);
        AtomicLong next = new AtomicLong(System.currentTimeMillis() - 6 * 3_600_000L);
        String key = null;
        long started = System.nanoTime();
        int trials = 0;
        for (int t = 0; t < TRIALS && System.nanoTime() - started < TimeUnit.MINUTES.toNanos(6); t++) {
            int port = ServerProcess.freePort();
            boolean overMqtt = t % 2 == 1;
            Map<String, String> env = overMqtt ? Map.of("MB_MQTT_PORT", "0") : Map.of("MB_MQTT_ENABLED", "false");
            try (ServerProcess server = ServerProcess.start(data, port, env)) {
                if (key == null) {
                    key = Ledger.customerKey(port, server.operatorKey);
                }
                int mqttPort = overMqtt ? mqttPort(server) : -1;
                AtomicBoolean stop = new AtomicBoolean();
                ExecutorService senders = Executors.newFixedThreadPool(3);
                for (int s = 0; s < 3; s++) {
                    String node = (overMqtt ? "m-" : "h-") + s;
                    String k = key;
                    senders.submit(
                            overMqtt
                                    ? () -> mqtt(ledger, mqttPort, k, node, next, stop)
                                    : () -> http(ledger, port, k, node, next, stop));
                }
                Thread.sleep(500 + random.nextInt(1500));
                server.kill();
                stop.set(true);
                senders.shutdown();
                assertThat(senders.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
                trials++;
            }
        }
        System.err.printf(
                "crash trials: %d kill -9, %d batches (%d readings) acknowledged, %d not; answers %s%n",
                trials, ledger.acked.size(), ledger.ackedReadings(), ledger.unacked.size(), ledger.statuses);
        assertThat(trials).isEqualTo(TRIALS);
        assertThat(ledger.acked).isNotEmpty();

        // resend a sample of acknowledged batches and every unacknowledged one, as a gateway would
        try (ServerProcess last = ServerProcess.start(data, ServerProcess.freePort())) {
            List<Ledger.Batch> resend = new ArrayList<>(ledger.acked.subList(0, Math.min(50, ledger.acked.size())));
            resend.addAll(ledger.unacked);
            Ledger again = new Ledger();
            for (Ledger.Batch b : resend) {
                assertThat(again.post(last.port, key, b)).isEqualTo(200);
            }
        }
        Ledger.Stored stored = Ledger.storedInDuckDb(data);
        ledger.assertAcknowledgedStoredOnce(stored);
        long unackedReadings =
                ledger.unacked.stream().mapToLong(Ledger.Batch::count).sum();
        assertThat(stored.rows())
                .as("acknowledged plus resent batches, each once")
                .isEqualTo(ledger.ackedReadings() + unackedReadings);
    }

    private static Void http(Ledger ledger, int port, String key, String node, AtomicLong next, AtomicBoolean stop) {
        while (!stop.get()) {
            ledger.post(port, key, new Ledger.Batch(node, next.getAndAdd(HTTP_BATCH), HTTP_BATCH));
        }
        return null;
    }

    /** Publishes batches at QoS 1, eight in flight; a batch is acknowledged when its PUBACK comes. */
    private static Void mqtt(Ledger ledger, int port, String key, String node, AtomicLong next, AtomicBoolean stop)
            throws Exception {
        Mqtt5AsyncClient client = Mqtt5Client.builder()
                .identifier(node)
                .serverHost("127.0.0.1")
                .serverPort(port)
                .simpleAuth()
                .username(node)
                .password(key.getBytes(StandardCharsets.UTF_8))
                .applySimpleAuth()
                .buildAsync();
        try {
            client.connect().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            return null; // killed before it connected
        }
        Semaphore inFlight = new Semaphore(8);
        while (!stop.get()) {
            if (!inFlight.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                continue;
            }
            Ledger.Batch b = new Ledger.Batch(node, next.getAndAdd(MQTT_BATCH), MQTT_BATCH);
            client.publishWith()
                    .topic("meterbase/" + node + "/up")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .payload(b.body().getBytes(StandardCharsets.UTF_8))
                    .send()
                    .whenComplete((result, error) -> {
                        (error == null && result.getError().isEmpty() ? ledger.acked : ledger.unacked).add(b);
                        inFlight.release();
                    });
        }
        inFlight.tryAcquire(8, 10, TimeUnit.SECONDS);
        return null;
    }

    /** The MQTT port the server chose, from its log. */
    private static int mqttPort(ServerProcess server) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            for (String line : java.nio.file.Files.readAllLines(server.log())) {
                int at = line.indexOf("MQTT broker listening on ");
                if (at >= 0) {
                    return Integer.parseInt(
                            line.substring(line.lastIndexOf(':') + 1).trim());
                }
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("the server did not say its MQTT port");
    }
}
