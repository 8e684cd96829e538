package io.meterbase.transport.mqtt;

import java.net.URI;
import java.util.List;

/**
 * An external broker Meterbase reads from: its URL ({@code mqtt://host:port} or {@code mqtts://} for TLS),
 * Meterbase's own credentials there, this node's client id, the shared-subscription group that nodes of one
 * installation share, and the topic filters (the device topic schemes by default).
 */
public record ExternalBrokerSettings(
        URI url, String username, String password, String clientId, String shareGroup, List<String> topics) {

    /** The device topics of every scheme Meterbase understands. */
    public static final List<String> DEFAULT_TOPICS = List.of(
            "meterbase/+/up",
            "meterbase/+/ack",
            "tele/+/SENSOR",
            "tele/+/LWT",
            "stat/+/POWER",
            "stat/+/RESULT",
            "+/status/+",
            "+/events/rpc",
            "+/meterbase/+/rpc",
            "emon/#");

    public ExternalBrokerSettings {
        if (url == null || !(url.getScheme().equals("mqtt") || url.getScheme().equals("mqtts"))) {
            throw new IllegalArgumentException("url: mqtt://host:port or mqtts://host:port, was " + url);
        }
        topics = List.copyOf(topics);
    }

    public boolean tls() {
        return url.getScheme().equals("mqtts");
    }

    public int port() {
        return url.getPort() > 0 ? url.getPort() : tls() ? 8883 : 1883;
    }
}
