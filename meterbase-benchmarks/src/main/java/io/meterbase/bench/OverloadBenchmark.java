package io.meterbase.bench;

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
import java.time.ZoneId;

/**
 * Overload answered fast, on this machine: the HTTP uploads a server takes with a few clients sending back to back
 * (its capacity, measured in the same run), then ten times that offered on a fixed schedule. Prints the answer times
 * (all, accepted, refused), and checks that what was stored is exactly what was accepted (no upload answered 503
 * after its readings were stored). The server runs in this process on the embedded store with its defaults (rate
 * limits off: one key sends everything); the load generator in its own process; all traffic stays on 127.0.0.1.
 *
 * <p>Arguments: overload-factor(10) seconds(20) clients-for-capacity(4)
 */
public final class OverloadBenchmark {

    public static void main(String[] args) throws Exception {
        double factor = args.length > 0 ? Double.parseDouble(args[0]) : 10;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int clients = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        Path work = Files.createTempDirectory("meterbase-overload-bench");
        System.out.printf(
                "Overload benchmark: capacity with %d clients, then %.0fx that for %d s; uploads of %,d readings;"
                        + " %d cores, Java %s%n",
                clients,
                factor,
                seconds,
                OverloadLoad.READINGS,
                Runtime.getRuntime().availableProcessors(),
                Runtime.version());
        try (Meterbase server = Meterbase.start(
                MeterbaseConfig.defaults()
                        .with("data.dir", work.resolve("server").toString())
                        .with("http.port", "0")
                        .with("mqtt.enabled", "false")
                        .with("coap.enabled", "false")
                        .with("analytics.enabled", "false")
                        .with("ingest.rate-limit.readings-per-second", "0")
                        .with("ingest.rate-limit.customer-readings-per-second", "0"),
                Clock.systemUTC())) {
            long customer = server.registry()
                    .createCustomer("bench", "bench", null, null, "bench", ZoneId.of("UTC"))
                    .id();
            String key = server.registry()
                    .createKey(customer, Role.CUSTOMER, "bench")
                    .secret();
            // the meters and their channels are registered first: this measures ingest, not registration
            HttpResponse<String> provisioned = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(
                                            URI.create("http://127.0.0.1:" + server.httpPort() + "/api/v1/upload"))
                                    .header("Authorization", "Bearer " + key)
                                    .POST(HttpRequest.BodyPublishers.ofByteArray(OverloadLoad.body(
                                            OverloadLoad.nodes(), System.currentTimeMillis() - 30 * 86_400_000L)))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            if (provisioned.statusCode() != 200) {
                throw new IllegalStateException("provisioning failed: " + provisioned.body());
            }
            long before = server.store().readings().stats().readings();
            try (Child load = Child.start(OverloadLoad.class, String.valueOf(server.httpPort()), key)) {
                load.await("READY");
                // a first round warms both programs up (compiled code, the writer's measured rate); the second counts
                System.out.println("warm-up, " + clients + " clients back to back: "
                        + load.ask("CAPACITY " + clients + " 10", "CAPACITY").substring(9));
                String capacity = load.ask("CAPACITY " + clients + " 10", "CAPACITY");
                System.out.println("capacity, " + clients + " clients back to back: " + capacity.substring(9));
                double uploadsPerSecond = Double.parseDouble(capacity.replaceAll(".*uploads_per_s=([0-9.]+).*", "$1"));
                long afterCapacity = server.store().readings().stats().readings();
                Thread.sleep(3_000);
                String overload = load.ask("OVERLOAD " + factor * uploadsPerSecond + " " + seconds, "OVERLOAD");
                System.out.printf("%.0fx overload: %s%n", factor, overload.substring(9));
                Thread.sleep(3_000); // the last accepted ones are durable before their answer; nothing is pending
                long stored = server.store().readings().stats().readings() - afterCapacity;
                long accepted = Long.parseLong(overload.replaceAll(".*accepted_readings=([0-9]+).*", "$1"));
                System.out.printf(
                        "stored during the overload: %,d readings; accepted (answered 200): %,d; %s%n",
                        stored, accepted, stored == accepted ? "equal: nothing refused was stored" : "DIFFERENT");
                System.out.println(
                        "refusals by reason (from /metrics): " + RegistrationBenchmark.refusals(server.httpPort()));
                System.out.printf(
                        "readings stored in all: %,d%n",
                        server.store().readings().stats().readings() - before);
                load.ask("STOP", "DONE");
            }
        } finally {
            IngestBenchmark.deleteTree(work);
        }
    }
}
