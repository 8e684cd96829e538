package io.meterbase.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The home gateway (seed 000): sensor nodes register with it ({@code POST /nodes} with name, address and
 * category) or come from its configuration; every interval it reads each node's {@code GET /readings}, puts all
 * nodes' readings into ONE upload, keeps it in the on-disk {@link UploadBuffer}, and sends what is buffered to the
 * server in order, authenticated by the customer's API key. When the server is unreachable or refuses for now
 * (503), uploads wait on disk and go out later, oldest first. Commands in the server's answer are carried out on
 * the nodes and their outcome reported ({@link GatewayCommands}).
 */
public final class GatewayAgent implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayAgent.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A node's reading fields: quantity, unit, kind. */
    private static final Map<String, String[]> FIELDS = Map.of(
            "power", new String[] {"active_power", "W", null},
            "voltage", new String[] {"voltage", "V", null},
            "current", new String[] {"current", "A", null},
            "power_factor", new String[] {"power_factor", "/", null},
            "energy", new String[] {"energy_import", "Wh", "register"},
            "temperature", new String[] {"temperature", "Cel", null},
            "humidity", new String[] {"humidity", "%RH", null},
            "light", new String[] {"illuminance", "lx", null},
            "gas", new String[] {"gas_concentration", "ppm", null});

    private final GatewaySettings settings;
    private final UploadBuffer buffer;
    private final Map<String, Node> nodes = new ConcurrentHashMap<>();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "meterbase-gateway");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong polls = new AtomicLong();
    private final Map<String, AtomicLong> reads = new ConcurrentHashMap<>();
    private final AtomicLong sent = new AtomicLong();
    private @Nullable HttpServer registration;
    private final GatewayCommands commands;
    private volatile java.util.concurrent.@Nullable ScheduledFuture<?> cycle;

    public GatewayAgent(GatewaySettings settings) throws IOException {
        this.settings = settings;
        this.buffer = new UploadBuffer(settings.dataDir().resolve("outbox"), settings.bufferCapacity());
        settings.nodes().forEach(n -> nodes.put(n.name(), n));
        loadRegisteredNodes();
        this.commands = new GatewayCommands(settings, http, nodes::get, this::reschedule);
    }

    /** Starts node registration and the poll/send cycle. */
    public GatewayAgent start() throws IOException {
        registration = HttpServer.create(new InetSocketAddress(settings.listenHost(), settings.listenPort()), 50);
        registration.createContext("/nodes", this::register);
        registration.start();
        long ms = settings.interval().toMillis();
        cycle = timer.scheduleWithFixedDelay(this::cycle, 0, ms, TimeUnit.MILLISECONDS);
        LOG.info(
                "Gateway {} polling {} nodes every {} ms; nodes register at http://{}:{}/nodes",
                settings.name(),
                nodes.size(),
                ms,
                settings.listenHost(),
                registrationPort());
        return this;
    }

    /** A set_interval command: polls every {@code seconds} from now on. */
    private void reschedule(long seconds) {
        java.util.concurrent.ScheduledFuture<?> old = cycle;
        if (old != null) {
            old.cancel(false);
        }
        cycle = timer.scheduleWithFixedDelay(this::cycle, seconds * 1000, seconds * 1000, TimeUnit.MILLISECONDS);
    }

    /** The port nodes register on; the agent must be started. */
    public int registrationPort() {
        HttpServer server = registration;
        if (server == null) {
            throw new IllegalStateException("the gateway agent is not started");
        }
        return server.getAddress().getPort();
    }

    private void cycle() {
        try {
            poll();
            sendBuffered();
        } catch (RuntimeException | IOException e) {
            LOG.warn("Gateway cycle failed: {}", e.toString());
        }
    }

    /** Reads every node once and buffers one upload with all of them. */
    void poll() throws IOException {
        long now = System.currentTimeMillis();
        ArrayNode out = JSON.createArrayNode();
        for (Node node : nodes.values()) {
            try {
                HttpResponse<String> r = http.send(
                        HttpRequest.newBuilder(URI.create(node.address() + "/readings"))
                                .timeout(Duration.ofSeconds(2))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) {
                    LOG.warn("Node {} answered {}", node.name(), r.statusCode());
                    continue;
                }
                out.add(nodeJson(node, JSON.readTree(r.body())));
                reads.computeIfAbsent(node.name(), k -> new AtomicLong()).incrementAndGet();
            } catch (IOException e) {
                LOG.warn("Node {} unreachable: {}", node.name(), e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        polls.incrementAndGet();
        if (out.isEmpty()) {
            return;
        }
        ObjectNode upload = JSON.createObjectNode();
        upload.put("gateway", settings.name());
        upload.put("ts", now);
        upload.set("nodes", out);
        buffer.add(upload.toString());
    }

    private static ObjectNode nodeJson(Node node, JsonNode values) {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", node.name());
        n.put("name", node.name());
        if (node.category() != null) {
            n.put("category", node.category());
        }
        ArrayNode readings = n.putArray("readings");
        for (Map.Entry<String, JsonNode> e : values.properties()) {
            String[] f = FIELDS.get(e.getKey());
            if (f == null || !e.getValue().isNumber()) {
                continue;
            }
            ObjectNode r = readings.addObject();
            r.put("quantity", f[0]);
            r.put("unit", f[1]);
            r.put("value", e.getValue().asDouble());
            if (f[2] != null) {
                r.put("kind", f[2]);
            }
        }
        return n;
    }

    /** Sends buffered uploads oldest first until one cannot be delivered now. */
    void sendBuffered() throws IOException {
        while (true) {
            var pending = buffer.oldest();
            if (pending.isEmpty()) {
                return;
            }
            HttpResponse<String> r;
            try {
                r = http.send(
                        HttpRequest.newBuilder(URI.create(settings.server() + "/api/v1/upload"))
                                .header("Authorization", "Bearer " + settings.apiKey())
                                .header("Content-Type", "application/json")
                                .timeout(Duration.ofSeconds(60))
                                .POST(HttpRequest.BodyPublishers.ofString(
                                        pending.get().body()))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                LOG.debug("Server unreachable, {} uploads wait: {}", buffer.size(), e.toString());
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            int status = r.statusCode();
            if (status == 200 || status == 422) {
                buffer.acknowledged(pending.get());
                sent.incrementAndGet();
                if (status == 422) {
                    LOG.warn("The server refused every reading of an upload: {}", r.body());
                }
                commands.apply(r.body());
            } else if (status == 400 || status == 413) {
                LOG.error("The server cannot read an upload ({}), dropping it: {}", status, r.body());
                buffer.acknowledged(pending.get());
            } else {
                LOG.warn("The server answered {}; {} uploads wait: {}", status, buffer.size(), r.body());
                return;
            }
        }
    }

    private void register(HttpExchange ex) throws IOException {
        try (ex) {
            if (!ex.getRequestMethod().equals("POST")) {
                ex.sendResponseHeaders(405, -1);
                return;
            }
            JsonNode b = JSON.readTree(ex.getRequestBody());
            Node node = new Node(
                    b.path("name").asText(null),
                    b.path("address").asText(null),
                    b.path("category").asText(null));
            nodes.put(node.name(), node);
            saveRegisteredNodes();
            byte[] ok = JSON.writeValueAsBytes(JSON.createObjectNode().put("registered", node.name()));
            ex.sendResponseHeaders(201, ok.length);
            ex.getResponseBody().write(ok);
            LOG.info("Node {} registered at {}", node.name(), node.address());
        } catch (IllegalArgumentException | IOException e) {
            byte[] msg = JSON.writeValueAsBytes(JSON.createObjectNode().put("error", e.getMessage()));
            ex.sendResponseHeaders(400, msg.length);
            ex.getResponseBody().write(msg);
        }
    }

    private Path nodesFile() {
        return settings.dataDir().resolve("nodes.json");
    }

    private void loadRegisteredNodes() throws IOException {
        if (Files.exists(nodesFile())) {
            for (JsonNode n : JSON.readTree(nodesFile().toFile())) {
                Node node = new Node(
                        n.path("name").asText(),
                        n.path("address").asText(),
                        n.path("category").asText(null));
                nodes.putIfAbsent(node.name(), node);
            }
        }
    }

    private synchronized void saveRegisteredNodes() throws IOException {
        Files.writeString(nodesFile(), JSON.writeValueAsString(List.copyOf(nodes.values())));
    }

    public int nodeCount() {
        return nodes.size();
    }

    public long polls() {
        return polls.get();
    }

    /** How many times a node was read (each read goes into one buffered upload). */
    public long readsOf(String node) {
        AtomicLong n = reads.get(node);
        return n == null ? 0 : n.get();
    }

    public long uploadsSent() {
        return sent.get();
    }

    public UploadBuffer buffer() {
        return buffer;
    }

    /** Stops polling and waits for a running cycle to end; buffered uploads stay on disk. */
    public void stop() throws InterruptedException {
        timer.shutdown();
        timer.awaitTermination(30, TimeUnit.SECONDS);
        if (registration != null) {
            registration.stop(0);
        }
    }

    /** Sends what is buffered now, as the cycle does. */
    public void flush() throws IOException {
        sendBuffered();
    }

    @Override
    public void close() {
        timer.shutdownNow();
        if (registration != null) {
            registration.stop(0);
        }
    }
}
