package io.meterbase.bench;

import io.meterbase.app.Meterbase;
import io.meterbase.app.MeterbaseConfig;
import io.meterbase.core.model.Role;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * MQTT figures on this machine: heap per connected device at N connections, and QoS 1 throughput and latency
 * (messages of 3 readings, durable before PUBACK) from M devices, for Meterbase and, with the same load, for
 * Mosquitto alone (no subscriber: its PUBACK rate is the ceiling of what a broker acknowledges here). The load
 * generator runs as a separate process on the same cores; all traffic stays on 127.0.0.1.
 *
 * <p>Rate limits are off: one key sends for all benchmark devices, and their limits would be the figure measured.
 *
 * <p>Arguments: devices(1000) inflight(4) seconds(20) heapDevices(10000)
 */
public final class MqttBenchmark {

    public static void main(String[] args) throws Exception {
        int devices = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int inflight = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        int heapDevices = args.length > 3 ? Integer.parseInt(args[3]) : 10_000;
        Path work = Files.createTempDirectory("meterbase-mqtt-bench");
        System.out.printf(
                "MQTT benchmark: %d devices x %d in flight for %d s; heap at %d connections; %d cores, Java %s%n",
                devices, inflight, seconds, heapDevices, Runtime.getRuntime().availableProcessors(), Runtime.version());
        try (Meterbase server = Meterbase.start(
                MeterbaseConfig.defaults()
                        .with("data.dir", work.resolve("server").toString())
                        .with("http.port", "0")
                        .with("mqtt.port", "0")
                        .with("coap.enabled", "false")
                        // one key sends for every benchmark device: its rate limits would be the figure measured
                        .with("ingest.rate-limit.readings-per-second", "0")
                        .with("ingest.rate-limit.customer-readings-per-second", "0"),
                Clock.systemUTC())) {
            long customer = server.registry()
                    .createCustomer("bench", "bench", null, null, "bench", ZoneId.of("UTC"))
                    .id();
            String key = server.registry()
                    .createKey(customer, Role.CUSTOMER, "bench")
                    .secret();

            long before = heapUsed();
            try (Child idle = load(server.mqttPort(), key, heapDevices, 0, 0)) {
                idle.await("CONNECTED");
                long after = heapUsed();
                System.out.printf(
                        "heap: %d connected devices take %.1f MB of the server's heap: %.1f KB per device%n",
                        heapDevices, (after - before) / 1e6, (after - before) / 1024.0 / heapDevices);
                idle.send("GO");
                idle.await("DONE");
            }

            try (Child load = load(server.mqttPort(), key, devices, inflight, seconds)) {
                load.await("CONNECTED");
                load.send("GO");
                System.out.println("Meterbase (durable before PUBACK): "
                        + load.await("RESULT").substring("RESULT ".length()));
                load.await("DONE");
                System.out.println("  group commits (whole run, from /metrics): " + commits(server.httpPort()));
            }
        }

        for (String mode : List.of("plain", "async")) {
            int hport = Child.freePort();
            Process hivemq = Child.java(
                            HiveMqAlone.class,
                            String.valueOf(hport),
                            work.resolve("hivemq-" + mode).toString(),
                            mode)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            try {
                awaitLine(hivemq, "READY");
                try (Child load = load(hport, "-", devices, inflight, seconds)) {
                    load.await("CONNECTED");
                    load.send("GO");
                    System.out.println((mode.equals("plain")
                                    ? "HiveMQ CE alone (no extension, PUBACK on receipt): "
                                    : "HiveMQ CE + asynchronous interceptor resumed at once: ")
                            + load.await("RESULT").substring("RESULT ".length()));
                    load.await("DONE");
                }
            } finally {
                hivemq.getOutputStream().close();
                if (!hivemq.waitFor(30, TimeUnit.SECONDS)) {
                    hivemq.destroyForcibly();
                }
            }
        }

        int port = Child.freePort();
        Path conf = work.resolve("mosquitto.conf");
        Files.writeString(
                conf,
                "listener " + port + " 127.0.0.1\nallow_anonymous true\nmax_inflight_messages 0\n"
                        + "max_queued_messages 0\npersistence false\nlog_type error\n");
        Process mosquitto;
        try {
            mosquitto = new ProcessBuilder("mosquitto", "-c", conf.toString())
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            System.out.println(
                    "Mosquitto alone: not measured, mosquitto cannot be started (apt-get install mosquitto): "
                            + e.getMessage());
            IngestBenchmark.deleteTree(work);
            return;
        }
        try {
            Thread.sleep(500);
            try (Child load = load(port, "-", devices, inflight, seconds)) {
                load.await("CONNECTED");
                load.send("GO");
                System.out.println("Mosquitto alone (in memory, PUBACK on receipt): "
                        + load.await("RESULT").substring("RESULT ".length()));
                load.await("DONE");
            }
        } finally {
            mosquitto.destroy();
            mosquitto.waitFor(10, TimeUnit.SECONDS);
            IngestBenchmark.deleteTree(work);
        }
    }

    /** Count, mean and p50/p99 of the durable writer's group commits, from the server's Prometheus metrics. */
    private static String commits(int httpPort) throws Exception {
        String metrics = java.net.http.HttpClient.newHttpClient()
                .send(
                        java.net.http.HttpRequest.newBuilder(
                                        java.net.URI.create("http://127.0.0.1:" + httpPort + "/metrics"))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString())
                .body();
        double count = 0;
        double sum = 0;
        String p50 = "?";
        String p99 = "?";
        for (String line : metrics.split("\n")) {
            if (line.startsWith("meterbase_store_write_seconds_count")) {
                count = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            } else if (line.startsWith("meterbase_store_write_seconds_sum")) {
                sum = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            } else if (line.startsWith("meterbase_store_write_seconds{quantile=\"0.5\"")) {
                p50 = line.substring(line.lastIndexOf(' ') + 1);
            } else if (line.startsWith("meterbase_store_write_seconds{quantile=\"0.99\"")) {
                p99 = line.substring(line.lastIndexOf(' ') + 1);
            }
        }
        return String.format(
                java.util.Locale.ROOT,
                "%.0f commits, mean %.1f ms, recent p50 %s s, p99 %s s",
                count,
                count == 0 ? 0 : 1000 * sum / count,
                p50,
                p99);
    }

    private static void awaitLine(Process p, String line) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String l;
        while ((l = r.readLine()) != null) {
            if (l.startsWith(line)) {
                return;
            }
        }
        throw new IOException("the process ended before " + line);
    }

    private static long heapUsed() throws InterruptedException {
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** The MQTT load generator in its own process. */
    private static Child load(int port, String password, int devices, int inflight, int seconds) throws IOException {
        return Child.start(
                MqttLoad.class,
                "127.0.0.1",
                String.valueOf(port),
                password,
                String.valueOf(devices),
                String.valueOf(inflight),
                String.valueOf(seconds));
    }
}
