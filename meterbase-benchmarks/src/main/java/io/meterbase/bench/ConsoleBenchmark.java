package io.meterbase.bench;

import io.meterbase.app.Meterbase;
import io.meterbase.app.MeterbaseConfig;
import io.meterbase.core.model.Customer;
import io.meterbase.core.registry.Registry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The operator console's list pages with many customers: a server with N customers (each with a site, every tenth
 * with a gateway) answers searched and paged lists of customers and gateways and the overview; each request is
 * timed end to end over HTTP on 127.0.0.1 and the median and 95th percentile printed, with {@code /health} (the
 * server's floor for any request) measured the same way in the same run.
 *
 * <p>Usage: {@code ConsoleBenchmark [customers=100000] [requests per kind=200]}.
 */
public final class ConsoleBenchmark {

    private ConsoleBenchmark() {}

    public static void main(String[] args) throws Exception {
        int customers = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int requests = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        Path dir = Files.createTempDirectory("meterbase-console-bench");
        MeterbaseConfig config = MeterbaseConfig.defaults()
                .with("data.dir", dir.toString())
                .with("http.port", "0")
                .with("mqtt.enabled", "false")
                .with("coap.enabled", "false")
                .with("analytics.enabled", "false");
        try (Meterbase server = Meterbase.start(config, Clock.systemUTC())) {
            String operator = server.newOperatorSecret().orElseThrow();
            Registry registry = server.registry();
            long began = System.nanoTime();
            ZoneId zone = ZoneId.of("Europe/Madrid");
            for (int i = 1; i <= customers; i++) {
                Customer c = registry.createCustomer(
                        "Customer " + i, "Home", i + " Bench Street", null, "feeder-" + (i % 40), zone);
                registry.registerDevice(
                        c.id(),
                        registry.defaultSite(c.id()).id(),
                        0,
                        "meter-" + i,
                        "Meter " + i,
                        io.meterbase.core.model.DeviceType.ELECTRICITY_METER,
                        io.meterbase.core.model.Category.MAIN);
                if (i % 10 == 0) {
                    registry.registerGateway(
                            c.id(), registry.defaultSite(c.id()).id(), "gw-" + i, "Gateway " + i, null, 0);
                }
                if (i % 20_000 == 0) {
                    System.out.printf(Locale.ROOT, "  %,d customers made (%.0f s)%n", i, seconds(began));
                }
            }
            System.out.printf(
                    Locale.ROOT,
                    "%,d customers (each with a meter; and %,d gateways) made in %.0f s%n",
                    customers,
                    customers / 10,
                    seconds(began));
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + server.httpPort();
            Map<String, String> kinds = new LinkedHashMap<>();
            kinds.put("health (floor)", "/health");
            kinds.put("customers, first page", "/api/v1/customers?limit=50");
            kinds.put("customers, page 1000", "/api/v1/customers?limit=50&offset=" + Math.max(0, customers - 1000));
            kinds.put("customers, search a name", "/api/v1/customers?q=customer%20" + (customers / 2) + "&limit=50");
            kinds.put("customers, search a community", "/api/v1/customers?q=feeder-7&limit=50");
            kinds.put("gateways, search", "/api/v1/gateways?q=gateway%20" + (customers / 2) + "&limit=50");
            kinds.put("devices, search a reference", "/api/v1/devices?q=meter-" + (customers / 2) + "&limit=50");
            kinds.put("devices, page 1000", "/api/v1/devices?limit=50&offset=" + Math.max(0, customers - 1000));
            kinds.put("overview", "/api/v1/overview");
            System.out.printf(Locale.ROOT, "%-32s %10s %10s%n", "request", "p50 ms", "p95 ms");
            for (Map.Entry<String, String> k : kinds.entrySet()) {
                HttpRequest req = HttpRequest.newBuilder(URI.create(base + k.getValue()))
                        .header("Authorization", "Bearer " + operator)
                        .build();
                for (int i = 0; i < Math.min(20, requests); i++) { // warm-up
                    check(http.send(req, HttpResponse.BodyHandlers.discarding()), k.getKey());
                }
                double[] ms = new double[requests];
                for (int i = 0; i < requests; i++) {
                    long t = System.nanoTime();
                    check(http.send(req, HttpResponse.BodyHandlers.ofByteArray()), k.getKey());
                    ms[i] = (System.nanoTime() - t) / 1e6;
                }
                Arrays.sort(ms);
                System.out.printf(
                        Locale.ROOT,
                        "%-32s %10.2f %10.2f%n",
                        k.getKey(),
                        ms[ms.length / 2],
                        ms[(int) Math.min(ms.length - 1, Math.round(ms.length * 0.95))]);
            }
        }
        deleteTree(dir);
    }

    private static void check(HttpResponse<?> r, String what) {
        if (r.statusCode() != 200) {
            throw new IllegalStateException(what + ": answered " + r.statusCode());
        }
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        List<Path> paths = new ArrayList<>();
        try (var walk = Files.walk(dir)) {
            walk.forEach(paths::add);
        }
        paths.sort((a, b) -> b.getNameCount() - a.getNameCount());
        for (Path p : paths) {
            Files.deleteIfExists(p);
        }
    }
}
