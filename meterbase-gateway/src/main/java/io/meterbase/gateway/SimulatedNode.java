package io.meterbase.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * A simulated sensor node (seed 000's smart plug with sensors): {@code GET /readings} gives power, voltage,
 * current, power factor, energy register, temperature, humidity, light, gas and the relay state;
 * {@code POST /relay {"state": "on|off"}} switches the relay (power drops to standby). At start it registers with
 * its gateway by POSTing its name and address, as seed 000's nodes do.
 */
public final class SimulatedNode implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

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
        String body = JSON.createObjectNode()
                .put("name", name)
                .put("address", address())
                .put("category", category)
                .toString();
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
        String json = JSON.createObjectNode()
                .put("power", round(power, 1))
                .put("voltage", round(voltage, 1))
                .put("current", round(power / (voltage * pf), 3))
                .put("power_factor", round(pf, 2))
                .put("energy", round(energyWh, 1))
                .put("temperature", round(21 + random.nextGaussian(), 1))
                .put("humidity", round(45 + random.nextGaussian(), 1))
                .put("light", Math.round(300 + 10 * random.nextGaussian()))
                .put("gas", 400 + random.nextInt(20))
                .put("relay", relayOn ? "on" : "off")
                .toString();
        respond(ex, 200, json);
    }

    private void relay(HttpExchange ex) throws IOException {
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        relayOn = body.contains("\"on\"");
        respond(
                ex,
                200,
                JSON.createObjectNode().put("relay", relayOn ? "on" : "off").toString());
    }

    /** A value to {@code digits} decimals, as the node's display shows it. */
    private static double round(double value, int digits) {
        double scale = Math.pow(10, digits);
        return Math.round(value * scale) / scale;
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
