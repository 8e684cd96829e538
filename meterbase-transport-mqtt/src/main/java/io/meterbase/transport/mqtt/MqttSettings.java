package io.meterbase.transport.mqtt;

import java.nio.file.Path;

/**
 * Where the embedded broker listens and keeps its data (sessions, queued messages), the largest packet it takes,
 * and whether it keeps its data in memory only. Port 0 picks a free one.
 */
public record MqttSettings(String host, int port, Path dataDir, int maxPacketBytes, boolean inMemory) {

    public MqttSettings {
        if (maxPacketBytes < 1024) {
            throw new IllegalArgumentException("maxPacketBytes: must be at least 1024, was " + maxPacketBytes);
        }
    }

    /** File persistence and packets of up to 16 MiB (as HTTP bodies). */
    public MqttSettings(String host, int port, Path dataDir) {
        this(host, port, dataDir, 16 * 1024 * 1024, false);
    }
}
