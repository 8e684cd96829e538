package io.meterbase.gateway;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Random;

/**
 * A simulated sensor node (seed 000's smart plug with sensors): {@code GET /readings} gives power, voltage,
 * current, power factor, energy register, temperature, humidity, light, gas and the relay state;
 * {@code POST /relay {"state": "on|off"}} switches the relay (power drops to standby). At start it registers with
 * its gateway by POSTing its name and address, as seed 000's nodes do.
 */
public final class SimulatedNode implements AutoCloseable {

    private final String name;
    private final double ratedWatts;
    private final Random random;
    private final HttpServer server;
    private volatile boolean relayOn = true;
    private double energyWh;
    private long last = System.currentTimeMillis();

    public SimulatedNode(String name, double ratedWatts, String host, int port) throws IOException {
        this.name = name;
        this.ratedWatts = ratedWatts;
        this.random = new Random(name.hashCode());
        this.server = HttpServer.create(new InetSocketAddress(host, port), 20);
        server.createContext("/readings", this::readings);
        server.createContext("/relay", this::relay);
        server.start();
    }

    public String address() {
        return "http://" + server.getAddress().getHostString() + ":"
                + server.getAddress().getPort();
    }

    public boolean relayOn() {
        return relayOn;
    }

    /** Switches the relay by hand, as someone at the appliance would. */
    public void setRelay(boolean on) {
        relayOn = on;
    }

    /** Registers with the gateway at {@code gateway} (e.g. http://127.0.0.1:8181). */
    public void register(String gateway, String category) throws IOException, InterruptedException {
        String body = "{\"name\":\"" + name + "\",\"address\":\"" + address() + "\",\"category\":\"" + category + "\"}";
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(gateway + "/nodes"))
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) {
            throw new IOException("the gateway refused the registration: " + r.body());
        }
    }

    private synchronized void readings(HttpExchange ex) throws IOException {
        long now = System.currentTimeMillis();
        double power = relayOn ? ratedWatts * (0.9 + 0.2 * random.nextDouble()) : 0.5;
        energyWh += power * (now - last) / 3_600_000.0;
        last = now;
        double voltage = 230 + random.nextGaussian();
        double pf = relayOn ? 0.92 : 0.5;
        String json = String.format(
                Locale.ROOT,
                "{\"power\":%.1f,\"voltage\":%.1f,\"current\":%.3f,\"power_factor\":%.2f,\"energy\":%.1f,"
                        + "\"temperature\":%.1f,\"humidity\":%.1f,\"light\":%.0f,\"gas\":%.0f,\"relay\":\"%s\"}",
                power,
                voltage,
                power / (voltage * pf),
                pf,
                energyWh,
                21 + random.nextGaussian(),
                45 + random.nextGaussian(),
                300 + 10 * random.nextGaussian(),
                400.0 + random.nextInt(20),
                relayOn ? "on" : "off");
        respond(ex, 200, json);
    }

    private void relay(HttpExchange ex) throws IOException {
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        relayOn = body.contains("\"on\"");
        respond(ex, 200, "{\"relay\":\"" + (relayOn ? "on" : "off") + "\"}");
    }

    private static void respond(HttpExchange ex, int status, String body) throws IOException {
        try (ex) {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(status, b.length);
            ex.getResponseBody().write(b);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
