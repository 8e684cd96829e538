package io.meterbase.core.ingest;

import io.meterbase.core.store.QuarantineEntry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How much of the refused input is kept: per source (a customer, or an address for senders that did not
 * authenticate) and reason, the first {@code fullPerWindow} refusals of each window are kept in full; the others
 * are counted, and each closed window with such counts becomes one summary entry. So a flood of bad input costs a
 * bounded amount of disk, and every refusal is still on record. Thread-safe.
 */
public final class QuarantineQuota {

    /** Sources tracked at most; beyond them, refusals count together under one key. */
    private static final int MAX_KEYS = 10_000;

    private final int fullPerWindow;
    private final long windowMillis;
    private final Clock clock;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final List<QuarantineEntry> closed = new ArrayList<>();
    private final AtomicLong countedOnly = new AtomicLong();

    public QuarantineQuota(int fullPerWindow, Duration window, Clock clock) {
        this.fullPerWindow = fullPerWindow;
        this.windowMillis = window.toMillis();
        this.clock = clock;
    }

    /** Keeps everything in full (no quota). */
    public static QuarantineQuota unlimited(Clock clock) {
        return new QuarantineQuota(Integer.MAX_VALUE, Duration.ofHours(1), clock);
    }

    /** Counts a refusal of {@code origin} for {@code reason}; true when it is to be kept in full. */
    public boolean admit(Origin origin, String reason) {
        String source = counters.size() < MAX_KEYS ? origin.quotaKey() : "(other sources)";
        long customer = origin.customerId();
        long window = Math.floorDiv(clock.millis(), windowMillis);
        while (true) {
            Counter c =
                    counters.computeIfAbsent(source + "|" + reason, k -> new Counter(source, customer, reason, window));
            synchronized (c) {
                if (c.retired) {
                    continue; // closed and removed meanwhile: count in its successor
                }
                if (c.window != window) {
                    close(c);
                    c.window = window;
                    c.kept = 0;
                }
                if (c.kept < fullPerWindow) {
                    c.kept++;
                    return true;
                }
                c.counted++;
            }
            break;
        }
        countedOnly.incrementAndGet();
        return false;
    }

    /** Turns a counter's window into a summary entry (once: its count starts again at 0). */
    private void close(Counter c) {
        if (c.counted == 0) {
            return;
        }
        Instant from = Instant.ofEpochMilli(c.window * windowMillis);
        Instant to = from.plusMillis(windowMillis);
        synchronized (closed) {
            closed.add(new QuarantineEntry(
                    to,
                    c.source,
                    c.customer,
                    c.reason,
                    c.counted + " more refused for this reason from " + from + " to " + to + " (the first "
                            + fullPerWindow + " of each window are kept in full)",
                    null));
        }
        c.counted = 0;
    }

    /**
     * The summaries of the windows that have closed (their refusals counted but not kept), to be stored; idle
     * sources are forgotten.
     */
    public List<QuarantineEntry> closedWindows() {
        long window = Math.floorDiv(clock.millis(), windowMillis);
        counters.values().removeIf(c -> {
            synchronized (c) {
                if (c.window == window) {
                    return false;
                }
                close(c);
                c.retired = true;
                return true;
            }
        });
        synchronized (closed) {
            List<QuarantineEntry> out = new ArrayList<>(closed);
            closed.clear();
            return out;
        }
    }

    /** Summaries that could not be stored now, kept for the next attempt. */
    public void putBack(List<QuarantineEntry> summaries) {
        synchronized (closed) {
            closed.addAll(0, summaries);
        }
    }

    /** Refusals counted without their payload since the start. */
    public long countedOnly() {
        return countedOnly.get();
    }

    private static final class Counter {
        final String source;
        final long customer;
        final String reason;
        long window;
        int kept;
        long counted;
        boolean retired;

        Counter(String source, long customer, String reason, long window) {
            this.source = source;
            this.customer = customer;
            this.reason = reason;
            this.window = window;
        }
    }
}
