package io.meterbase.http;

import java.time.Duration;

/**
 * How long the HTTP server waits for slow clients: an idle connection (no byte before a request is complete, or
 * between requests), request headers that never finish (one byte at a time), and request bodies sent slower than a
 * minimum rate. Each ends with the connection closed (or a 408), so slow clients cannot hold the server's sockets.
 */
public record HttpLimits(Duration idleTimeout, Duration headerTimeout, int minBodyBytesPerSecond) {

    public static HttpLimits defaults() {
        return new HttpLimits(Duration.ofSeconds(30), Duration.ofSeconds(10), 1024);
    }
}
