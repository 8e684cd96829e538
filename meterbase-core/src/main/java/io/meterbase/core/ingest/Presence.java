package io.meterbase.core.ingest;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which devices and gateways are connected, from transport events (MQTT connect, disconnect, last will,
 * Tasmota's {@code LWT}). Keyed by customer and the name the device connects with. Thread-safe.
 */
public final class Presence {

    /** Online or not, since when. */
    public record State(boolean online, Instant since) {}

    private final Map<String, State> states = new ConcurrentHashMap<>();

    public void online(long customerId, String ref, Instant at) {
        states.put(customerId + "/" + ref, new State(true, at));
    }

    public void offline(long customerId, String ref, Instant at) {
        states.put(customerId + "/" + ref, new State(false, at));
    }

    public Optional<State> of(long customerId, String ref) {
        return Optional.ofNullable(states.get(customerId + "/" + ref));
    }
}
