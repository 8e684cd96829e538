package io.meterbase.transport.mqtt;

import java.nio.file.Path;

/** Where the embedded broker listens and keeps its data (sessions, queued messages). Port 0 picks a free one. */
public record MqttSettings(String host, int port, Path dataDir) {}
