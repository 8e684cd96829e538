package io.meterbase.transport.mqtt;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * Where the embedded broker listens and keeps its data (sessions, queued messages), the largest packet it takes,
 * whether it keeps its data in memory only, whether it opens its plain TCP listener, and its TLS listeners. Port 0
 * picks a free one.
 */
public record MqttSettings(
        String host,
        int port,
        Path dataDir,
        int maxPacketBytes,
        boolean inMemory,
        boolean plain,
        @Nullable Tls tls) {

    /**
     * MQTT over TLS on {@code port} and, unless {@code websocketPort} is -1, MQTT over WebSocket with TLS (path
     * {@code /mqtt}), both with the server's key and certificate from a PKCS#12 keystore (the one HTTPS uses); with
     * {@code clientTrust}, clients may present X.509 certificates chained to it.
     */
    public record Tls(
            Path keystore,
            String password,
            int port,
            int websocketPort,
            @Nullable Path clientTrust,
            @Nullable String clientTrustPassword) {

        /** TLS without client certificates. */
        public Tls(Path keystore, String password, int port, int websocketPort) {
            this(keystore, password, port, websocketPort, null, null);
        }

        /**
         * The same listeners, also asking clients for a certificate chained to the certificates of the PKCS#12
         * {@code trust} (devices without one still connect with a username and key).
         */
        public Tls withClientTrust(Path trust, String trustPassword) {
            return new Tls(keystore, password, port, websocketPort, trust, trustPassword);
        }

        public Tls {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("mqtt.tls.port: must be within [0, 65535], was " + port);
            }
            if (websocketPort < -1 || websocketPort > 65535) {
                throw new IllegalArgumentException(
                        "mqtt.tls.websocket-port: must be -1 (off) or within [0, 65535], was " + websocketPort);
            }
        }
    }

    public MqttSettings {
        if (maxPacketBytes < 1024) {
            throw new IllegalArgumentException("maxPacketBytes: must be at least 1024, was " + maxPacketBytes);
        }
        if (!plain && tls == null) {
            throw new IllegalArgumentException(
                    "mqtt.plain=off needs MQTT over TLS: set http.tls.keystore or http.tls.self-signed=true");
        }
    }

    /** Plain TCP only, with this packet size and persistence. */
    public MqttSettings(String host, int port, Path dataDir, int maxPacketBytes, boolean inMemory) {
        this(host, port, dataDir, maxPacketBytes, inMemory, true, null);
    }

    /** Plain TCP only, file persistence and packets of up to 16 MiB (as HTTP bodies). */
    public MqttSettings(String host, int port, Path dataDir) {
        this(host, port, dataDir, 16 * 1024 * 1024, false);
    }
}
