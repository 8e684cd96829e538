package io.meterbase.core.ingest;

import java.time.Clock;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An allowance per key (a credential, a customer, an address) as a token bucket: {@code perSecond} units a second
 * on average, bursts up to {@code burst}. An amount larger than the burst is allowed when the bucket is full and
 * leaves it in debt, so a large upload waits for its turn instead of being refused forever. A rate of 0 turns
 * limiting off. Refusals are counted per key so that the operator sees who is refused. Buckets that have refilled
 * completely are forgotten (looked for at most once a second); beyond {@value #MAX_KEYS} keys, new keys share one
 * bucket, so keys that come and go (the addresses of anonymous senders) cost bounded memory. With several nodes,
 * what each key spent here is handed out by {@link #drainSpent} and what it spent on other nodes is taken from its
 * bucket by {@link #debit}, so that the allowance holds for the nodes together. Thread-safe.
 */
public final class RateLimiter {

    /** Buckets kept before full ones are swept out. */
    private static final int SWEEP_ABOVE = 10_000;
    /** Keys with buckets of their own at most. */
    static final int MAX_KEYS = 100_000;

    private static final String OTHERS = "(other keys)";

    private final double perSecond;
    private final double burst;
    private final String unit;
    private final Clock clock;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> refused = new ConcurrentHashMap<>();
    private final AtomicLong lastSweep = new AtomicLong();
    /** Spent per key since the last {@link #drainSpent}. */
    private final Map<String, Double> spent = new ConcurrentHashMap<>();

    public RateLimiter(double perSecond, double burst, Clock clock) {
        this(perSecond, burst, "readings", clock);
    }

    /** A limiter of {@code perSecond} {@code unit} (as the refusal names them, e.g. "readings") a second. */
    public RateLimiter(double perSecond, double burst, String unit, Clock clock) {
        this.perSecond = perSecond;
        this.burst = Math.max(burst, perSecond);
        this.unit = unit;
        this.clock = clock;
    }

    public boolean enabled() {
        return perSecond > 0;
    }

    /**
     * Takes {@code amount} from the key's allowance.
     *
     * @throws RateLimitedException when the allowance is used up; nothing is taken then
     */
    public void acquire(String key, int amount) {
        if (!enabled() || amount == 0) {
            return;
        }
        if (buckets.size() > SWEEP_ABOVE) {
            sweep();
        }
        String owner = buckets.size() < MAX_KEYS || buckets.containsKey(key) ? key : OTHERS;
        Bucket b = buckets.computeIfAbsent(owner, s -> new Bucket(burst, clock.millis()));
        synchronized (b) {
            refill(b);
            double needed = Math.min(amount, burst);
            if (b.tokens < needed) {
                long wait = (long) Math.ceil((needed - b.tokens) / perSecond);
                count(key);
                throw new RateLimitedException(
                        key + " exceeds " + rate() + "; retry in " + Math.max(1, wait) + " s", Math.max(1, wait));
            }
            b.tokens -= amount;
        }
        spent.merge(owner, (double) amount, Double::sum);
    }

    /** Gives back what {@link #acquire} took (a submission refused by another limit after this one). */
    public void refund(String key, int amount) {
        if (!enabled() || amount == 0) {
            return;
        }
        String owner = buckets.containsKey(key) ? key : OTHERS;
        Bucket b = buckets.get(owner);
        if (b != null) {
            synchronized (b) {
                b.tokens = Math.min(burst, b.tokens + amount);
            }
            spent.merge(owner, (double) -amount, Double::sum);
        }
    }

    /** What each key spent here since the last call (refunds deducted); each amount is handed out once. */
    public Map<String, Double> drainSpent() {
        Map<String, Double> out = new TreeMap<>();
        for (String key : spent.keySet()) {
            Double amount = spent.remove(key);
            if (amount != null && amount > 0) {
                out.put(key, amount);
            } else if (amount != null && amount < 0) {
                spent.merge(key, amount, Double::sum); // a refund of what was told before: deducted next time
            }
        }
        return out;
    }

    /**
     * Takes what {@code key} spent on other nodes from its bucket here. The bucket may go into debt, down to minus
     * one burst, so that the key waits here for what it took elsewhere.
     */
    public void debit(String key, double amount) {
        if (!enabled() || amount <= 0) {
            return;
        }
        String owner = buckets.size() < MAX_KEYS || buckets.containsKey(key) ? key : OTHERS;
        Bucket b = buckets.computeIfAbsent(owner, s -> new Bucket(burst, clock.millis()));
        synchronized (b) {
            refill(b);
            b.tokens = Math.max(-burst, b.tokens - amount);
        }
    }

    /** Whether {@code amount} could be taken now, without taking it. */
    public boolean allows(String key, int amount) {
        if (!enabled() || amount == 0) {
            return true;
        }
        Bucket b = buckets.get(key);
        if (b == null) {
            return true;
        }
        synchronized (b) {
            refill(b);
            return b.tokens >= Math.min(amount, burst);
        }
    }

    private String rate() {
        return perSecond >= 1 ? (long) perSecond + " " + unit + "/s" : Math.round(perSecond * 60) + " " + unit + "/min";
    }

    private void refill(Bucket b) {
        long now = clock.millis();
        b.tokens = Math.min(burst, b.tokens + (now - b.at) * perSecond / 1000.0);
        b.at = now;
    }

    /** Forgets the buckets that are full again (their keys behave as new ones); at most once a second. */
    private void sweep() {
        long now = clock.millis();
        long last = lastSweep.get();
        if (now - last < 1000 || !lastSweep.compareAndSet(last, now)) {
            return;
        }
        buckets.entrySet().removeIf(e -> {
            synchronized (e.getValue()) {
                refill(e.getValue());
                return e.getValue().tokens >= burst;
            }
        });
    }

    private void count(String key) {
        if (refused.size() < SWEEP_ABOVE || refused.containsKey(key)) {
            refused.computeIfAbsent(key, s -> new AtomicLong()).incrementAndGet();
        } else {
            refused.computeIfAbsent("(others)", s -> new AtomicLong()).incrementAndGet();
        }
    }

    /** Refused attempts per key. */
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
