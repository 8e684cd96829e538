package io.meterbase.core.ingest;

import java.time.Clock;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Readings per second allowed to each sender (a gateway, or a device reporting directly), as a token bucket:
 * {@code perSecond} readings a second on average, bursts up to {@code burst}. A limit of 0 turns limiting off.
 * Refusals are counted per sender so that the operator sees who is refused. Thread-safe.
 */
public final class RateLimiter {

    private final double perSecond;
    private final double burst;
    private final Clock clock;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> refused = new ConcurrentHashMap<>();

    public RateLimiter(double perSecond, double burst, Clock clock) {
        this.perSecond = perSecond;
        this.burst = Math.max(burst, perSecond);
        this.clock = clock;
    }

    public boolean enabled() {
        return perSecond > 0;
    }

    /**
     * Takes {@code readings} from the sender's allowance.
     *
     * @throws RateLimitedException when the allowance is used up; nothing is taken then
     */
    public void acquire(String sender, int readings) {
        if (!enabled() || readings == 0) {
            return;
        }
        Bucket b = buckets.computeIfAbsent(sender, s -> new Bucket(burst, clock.millis()));
        synchronized (b) {
            long now = clock.millis();
            b.tokens = Math.min(burst, b.tokens + (now - b.at) * perSecond / 1000.0);
            b.at = now;
            if (readings > burst) {
                count(sender);
                throw new RateLimitedException(
                        "an upload of " + readings + " readings is larger than the allowed burst of " + (long) burst,
                        1);
            }
            if (b.tokens < readings) {
                long wait = (long) Math.ceil((readings - b.tokens) / perSecond);
                count(sender);
                throw new RateLimitedException(
                        sender + " exceeds " + (long) perSecond + " readings/s; retry in " + wait + " s",
                        Math.max(1, wait));
            }
            b.tokens -= readings;
        }
    }

    private void count(String sender) {
        refused.computeIfAbsent(sender, s -> new AtomicLong()).incrementAndGet();
    }

    /** Refused submissions per sender, by name. */
    public Map<String, Long> refusedCounts() {
        Map<String, Long> out = new TreeMap<>();
        refused.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    private static final class Bucket {
        double tokens;
        long at;

        Bucket(double tokens, long at) {
            this.tokens = tokens;
            this.at = at;
        }
    }
}
