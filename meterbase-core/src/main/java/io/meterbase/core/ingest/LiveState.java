package io.meterbase.core.ingest;

import io.meterbase.core.model.Reading;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The newest durable reading of every channel, and the subscribers that are told of every durable batch. Updated
 * by the writer thread; read from any thread.
 */
public final class LiveState {

    private final Map<Integer, Reading> latest = new ConcurrentHashMap<>();
    private final List<Consumer<List<Reading>>> subscribers = new CopyOnWriteArrayList<>();

    /** Seeds the state with the newest stored readings, at startup. */
    public void seed(List<Reading> readings) {
        update(readings);
    }

    /** Takes a durable batch: keeps the newest reading per channel and tells the subscribers. */
    public void onDurable(List<Reading> readings) {
        update(readings);
        for (Consumer<List<Reading>> subscriber : subscribers) {
            subscriber.accept(readings);
        }
    }

    private void update(List<Reading> readings) {
        for (Reading r : readings) {
            latest.merge(r.channelId(), r, (old, neu) -> neu.timestamp() >= old.timestamp() ? neu : old);
        }
    }

    public Optional<Reading> latest(int channelId) {
        return Optional.ofNullable(latest.get(channelId));
    }

    /**
     * Adds a subscriber, called on the writer thread after each durable batch; it must return quickly and not
     * throw.
     */
    public void subscribe(Consumer<List<Reading>> subscriber) {
        subscribers.add(subscriber);
    }
}
