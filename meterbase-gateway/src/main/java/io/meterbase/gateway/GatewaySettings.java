package io.meterbase.gateway;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * How a gateway runs: the Meterbase server and the customer's API key, its own name, the poll interval, where it
 * keeps buffered uploads and registered nodes, how many uploads it buffers at most, where nodes register, and
 * nodes known from configuration, and the server's command signing key (PEM) that remote connect and disconnect
 * commands must be signed with (none: such commands are refused).
 */
public record GatewaySettings(
        String server,
        String apiKey,
        String name,
        Duration interval,
        Path dataDir,
        int bufferCapacity,
        String listenHost,
        int listenPort,
        List<Node> nodes,
        @Nullable String commandKeyPem) {

    public GatewaySettings {
        if (apiKey == null || apiKey.isBlank()) {
            throw new IllegalArgumentException("apiKey: the customer's API key is required");
        }
        nodes = List.copyOf(nodes);
    }
}
