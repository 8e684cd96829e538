package io.meterbase.gateway;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meterbase.core.auth.CommandSignature;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.PublicKey;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.LongConsumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out the commands in the server's answers on the nodes and reports each outcome to the server
 * ({@code POST /api/v1/commands/{id}/ack}). Remote connect and disconnect must carry a valid ECDSA signature of
 * the server's key and must not have expired or been seen before: a tampered, expired or replayed one is refused
 * and reported as failed. Seen command ids are kept on disk until they expire, so a restart does not reopen the
 * door to a replay.
 */
final class GatewayCommands {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayCommands.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_CLOCK_SKEW_MS = Duration.ofMinutes(5).toMillis();

    private final String server;
    private final String apiKey;
    private final @Nullable PublicKey serverKey;
    private final HttpClient http;
    private final Function<String, @Nullable Node> nodes;
    private final LongConsumer setInterval;
    private final Path seenFile;
    private final Map<String, Long> seen;

    GatewayCommands(
            GatewaySettings settings, HttpClient http, Function<String, @Nullable Node> nodes, LongConsumer setInterval)
            throws IOException {
        this.server = settings.server();
        this.apiKey = settings.apiKey();
        this.serverKey = settings.commandKeyPem() == null ? null : CommandSignature.publicKey(settings.commandKeyPem());
        this.http = http;
        this.nodes = nodes;
        this.setInterval = setInterval;
        this.seenFile = settings.dataDir().resolve("seen-commands.json");
        this.seen = Files.exists(seenFile)
                ? new TreeMap<>(JSON.readValue(seenFile.toFile(), new TypeReference<Map<String, Long>>() {}))
                : new TreeMap<>();
    }

    /** Carries out every command of an answer, in order. */
    void apply(String answer) {
        JsonNode commands;
        try {
            commands = JSON.readTree(answer).path("commands");
        } catch (IOException e) {
            LOG.warn("The server's answer is not JSON: {}", e.toString());
            return;
        }
        for (JsonNode c : commands) {
            String id = c.path("id").asText(null);
            try {
                Outcome o = carryOut(c);
                if (id != null) {
                    ack(id, o);
                }
                if (!o.done()) {
                    LOG.warn("Command {} refused: {}", id, o.detail());
                }
            } catch (IOException e) {
                LOG.warn("Command {} could not be carried out: {}", id, e.toString());
                if (id != null) {
                    ack(id, new Outcome(false, "node unreachable: " + e.getMessage(), null));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** What became of a command. */
    record Outcome(boolean done, String detail, @Nullable String relay) {}

    Outcome carryOut(JsonNode c) throws IOException, InterruptedException {
        String type = c.path("type").asText("");
        String nodeName = c.path("node").asText("");
        if (type.equals("connect") || type.equals("disconnect")) {
            String refusal = verify(c, type, nodeName);
            if (refusal != null) {
                return new Outcome(false, refusal, null);
            }
        }
        return switch (type) {
            case "relay_on", "relay_off", "relay_toggle", "connect", "disconnect", "" -> relay(c, nodeName);
            case "set_interval" -> {
                long seconds = c.path("params").path("seconds").asLong(0);
                if (seconds < 1) {
                    yield new Outcome(false, "set_interval needs params.seconds", null);
                }
                setInterval.accept(seconds);
                yield new Outcome(true, "the gateway now polls every " + seconds + " s", null);
            }
            default -> new Outcome(false, "this gateway does not carry out " + type, null);
        };
    }

    private Outcome relay(JsonNode c, String nodeName) throws IOException, InterruptedException {
        Node node = nodes.apply(nodeName);
        if (node == null) {
            return new Outcome(false, "no node " + nodeName + " behind this gateway", null);
        }
        String wanted = c.path("relay").asText("");
        if (wanted.equals("toggle")) {
            JsonNode now = JSON.readTree(http.send(
                            HttpRequest.newBuilder(URI.create(node.address() + "/readings"))
                                    .timeout(Duration.ofSeconds(2))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body());
            wanted = "on".equals(now.path("relay").asText()) ? "off" : "on";
        }
        if (!wanted.equals("on") && !wanted.equals("off")) {
            return new Outcome(false, "no relay state in the command", null);
        }
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(node.address() + "/relay"))
                        .timeout(Duration.ofSeconds(5))
                        .POST(HttpRequest.BodyPublishers.ofString(
                                JSON.createObjectNode().put("state", wanted).toString()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            return new Outcome(false, "the node answered " + r.statusCode(), null);
        }
        String state = JSON.readTree(r.body()).path("relay").asText(wanted);
        return new Outcome(state.equals(wanted), "relay " + state, state);
    }

    /** Why a signed command is refused, or null when it is genuine, current and new. */
    private synchronized @Nullable String verify(JsonNode c, String type, String nodeName) throws IOException {
        if (serverKey == null) {
            return "the gateway has no server signing key configured (--command-key)";
        }
        String id = c.path("id").asText(null);
        long issued = c.path("issued_at").asLong(-1);
        long expires = c.path("expires_at").asLong(-1);
        String nonce = c.path("nonce").asText(null);
        if (id == null || nonce == null || issued < 0 || expires < 0) {
            return "a signed command needs id, issued_at, expires_at, nonce and signature";
        }
        String text = CommandSignature.canonical(id, nodeName, type, issued, expires, nonce);
        if (!CommandSignature.verify(serverKey, text, c.path("signature").asText(null))) {
            return "signature invalid: the command was not signed by the server or was altered";
        }
        long now = System.currentTimeMillis();
        if (expires <= now) {
            return "the command expired";
        }
        if (issued > now + MAX_CLOCK_SKEW_MS) {
            return "the command is issued in the future";
        }
        seen.values().removeIf(until -> until <= now);
        if (seen.containsKey(id + "/" + nonce)) {
            return "replayed: this command was already carried out";
        }
        seen.put(id + "/" + nonce, expires);
        Path tmp = seenFile.resolveSibling(seenFile.getFileName() + ".tmp");
        Files.writeString(tmp, JSON.writeValueAsString(seen));
        Files.move(tmp, seenFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return null;
    }

    private void ack(String id, Outcome o) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", o.done() ? "done" : "failed");
        body.put("detail", o.detail());
        if (o.relay() != null) {
            body.put("relay", o.relay());
        }
        try {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create(server + "/api/v1/commands/"
                                    + URLEncoder.encode(id, StandardCharsets.UTF_8) + "/ack"))
                            .header("Authorization", "Bearer " + apiKey)
                            .header("Content-Type", "application/json")
                            .timeout(Duration.ofSeconds(10))
                            .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                LOG.warn("The server did not take the outcome of command {}: {} {}", id, r.statusCode(), r.body());
            }
        } catch (IOException e) {
            LOG.warn("The outcome of command {} could not be reported: {}", id, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
