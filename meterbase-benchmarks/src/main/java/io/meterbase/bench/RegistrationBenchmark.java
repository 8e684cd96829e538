package io.meterbase.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meterbase.app.Meterbase;
import io.meterbase.app.MeterbaseConfig;
import io.meterbase.core.model.Role;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;

/**
 * Registration at fleet speed on this machine: while K known devices report over MQTT once a second (seed 004's
 * shape), N new devices report for the first time at once over MQTT, then one HTTP upload brings M new nodes of a
 * gateway. Prints new devices registered per second for both, and the known devices' acknowledgement latency before
 * and during each (p50, p99, max). The server runs in this process on the embedded store, the MQTT clients in a
 * separate process; all traffic stays on 127.0.0.1. Rate limits are off; the new-device allowance is raised to fit
 * the run.
 *
 * <p>Arguments: newMqttDevices(10000) knownDevices(1000) httpNodes(20000)
 */
public final class RegistrationBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        int fresh = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int known = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
        int httpNodes = args.length > 2 ? Integer.parseInt(args[2]) : 20_000;
        Path work = Files.createTempDirectory("meterbase-register-bench");
        System.out.printf(
                "Registration benchmark: %d new MQTT devices and an HTTP upload of %d new nodes, while %d known devices"
                        + " report every second; %d cores, Java %s%n",
                fresh, httpNodes, known, Runtime.getRuntime().availableProcessors(), Runtime.version());
        try (Meterbase server = Meterbase.start(
                MeterbaseConfig.defaults()
                        .with("data.dir", work.resolve("server").toString())
                        .with("http.port", "0")
                        .with("mqtt.port", "0")
                        .with("coap.enabled", "false")
                        .with("analytics.enabled", "false")
                        .with("ingest.rate-limit.readings-per-second", "0")
                        .with("ingest.rate-limit.customer-readings-per-second", "0")
                        .with(
                                "ingest.rate-limit.new-devices-per-minute",
                                String.valueOf(2 * (fresh + known + httpNodes))),
                Clock.systemUTC())) {
            long customer = server.registry()
                    .createCustomer("bench", "bench", null, null, "bench", ZoneId.of("UTC"))
                    .id();
            String key = server.registry()
                    .createKey(customer, Role.CUSTOMER, "bench")
                    .secret();
            try (Child load = Child.start(
                    RegistrationLoad.class,
                    "127.0.0.1",
                    String.valueOf(server.mqttPort()),
                    key,
                    String.valueOf(known),
                    String.valueOf(fresh))) {
                load.await("CONNECTED");
                load.ask("GO", "STREAMING");
                System.out.println("warm-up: " + load.ask("WARM", "WARMED"));
                Thread.sleep(3_000);
                load.ask("WINDOW", "WINDOW");
                Thread.sleep(5_000);
                System.out.println("known devices, before: " + figures(load.ask("REPORT", "REPORT")));

                load.ask("WINDOW", "WINDOW");
                String registered = load.ask("REGISTER", "REGISTERED");
                System.out.println("MQTT, " + registered.substring("REGISTERED ".length()));
                System.out.println("known devices, meanwhile: " + figures(load.ask("REPORT", "REPORT")));
                Thread.sleep(3_000);
                load.ask("WINDOW", "WINDOW");
                String again = load.ask("AGAIN", "REGISTERED");
                System.out.println("MQTT, the same burst from the devices registered by now (the ceiling of this burst"
                        + " here): " + again.substring("REGISTERED ".length()));
                System.out.println("known devices, meanwhile: " + figures(load.ask("REPORT", "REPORT")));

                Thread.sleep(3_000);
                load.ask("WINDOW", "WINDOW");
                long t0 = System.nanoTime();
                HttpResponse<String> answer = upload(server.httpPort(), key, httpNodes);
                double secs = (System.nanoTime() - t0) / 1e9;
                System.out.printf(
                        "HTTP, one upload of %d new nodes: answered %d in %.2f s: %.0f new devices/s%n",
                        httpNodes, answer.statusCode(), secs, httpNodes / secs);
                if (answer.statusCode() != 200) {
                    System.out.println("  answer: "
                            + answer.body()
                                    .substring(0, Math.min(300, answer.body().length())));
                }
                System.out.println("known devices, meanwhile: " + figures(load.ask("REPORT", "REPORT")));
                System.out.printf(
                        "devices registered in all: %d%n",
                        server.registry().devices(customer).size());
                System.out.println("refusals by reason (from /metrics): " + refusals(server.httpPort()));
                load.ask("STOP", "DONE");
            }
        } finally {
            IngestBenchmark.deleteTree(work);
        }
    }

    /** The server's refusal counters that are not zero. */
    static String refusals(int httpPort) throws Exception {
        String metrics = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        StringBuilder out = new StringBuilder();
        for (String line : metrics.split("\n")) {
            if ((line.startsWith("meterbase_ingest_refused_total")
                            || line.startsWith("meterbase_ingest_rejected_total"))
                    && !line.endsWith(" 0.0")) {
                out.append(out.isEmpty() ? "" : ", ").append(line.replace("meterbase_ingest_", ""));
            }
        }
        return out.isEmpty() ? "none" : out.toString();
    }

    private static String figures(String report) {
        return report.substring("REPORT ".length());
    }

    /** A gateway's upload of {@code nodes} new nodes with one power reading each, written with Jackson. */
    private static HttpResponse<String> upload(int port, String key, int nodes) throws Exception {
        ObjectNode body =
                JSON.createObjectNode().put("gateway", "district-gw").put("ts", System.currentTimeMillis() - 60_000);
        ArrayNode list = body.putArray("nodes");
        for (int i = 0; i < nodes; i++) {
            ObjectNode node = list.addObject().put("id", "meter-" + i).put("type", "electricity_meter");
            node.putArray("readings")
                    .addObject()
                    .put("quantity", "active_power")
                    .put("unit", "W")
                    .put("value", 300 + i % 700);
        }
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/upload"))
                .header("Authorization", "Bearer " + key)
                .timeout(Duration.ofMinutes(10))
                .POST(HttpRequest.BodyPublishers.ofByteArray(Payloads.bytes(body)))
                .build();
        return HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofString());
    }
}
