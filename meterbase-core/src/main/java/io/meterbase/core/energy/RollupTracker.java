package io.meterbase.core.energy;

import io.meterbase.core.model.Accumulation;
import io.meterbase.core.model.Channel;
import io.meterbase.core.model.Reading;
import io.meterbase.core.store.DayKey;
import io.meterbase.core.store.ReadingKey;
import io.meterbase.core.store.ReadingStore;
import io.meterbase.core.store.Rollup;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps hourly and daily rollups up to date as readings become durable. Readings newer than everything stored
 * of their channel are folded into an open accumulator per channel; late readings mark their hour (and the hour
 * of the reading after them, whose consumption depends on them) stale, and stale hours are recomputed from the
 * stored readings. {@link #flush()} writes what changed.
 *
 * <p>Threading: confined to the durable writer's thread.
 */
public final class RollupTracker {

    public static final long HOUR = 3_600_000L;
    private static final Logger LOG = LoggerFactory.getLogger(RollupTracker.class);
    private static final int PAGE = 100_000;
    /** Time a flush spends at most on recomputing stale hours (at least one is done). */
    static final long STALE_BUDGET_NANOS = 200_000_000L;

    private final ReadingStore store;
    private final ChannelInfo info;
    private final EnergyRules rules;
    private final Map<Integer, ChannelState> states = new HashMap<>();
    private final Set<Integer> changed = new HashSet<>();
    private final List<Rollup> closed = new ArrayList<>();
    private final Set<ReadingKey> stale = new LinkedHashSet<>();

    public RollupTracker(ReadingStore store, ChannelInfo info, EnergyRules rules) {
        this.store = store;
        this.info = info;
        this.rules = rules;
    }

    public static long hourOf(long timestamp) {
        return Math.floorDiv(timestamp, HOUR) * HOUR;
    }

    /**
     * Rebuilds what a crash may have left unrolled: every hour from each channel's newest hourly rollup to its
     * newest reading, and every hour marked stale, then opens each channel's newest hour.
     */
    public void recover() {
        Map<Integer, Long> newest = store.newestTimestamps();
        Map<Integer, Long> rolled = store.newestHourly();
        List<Rollup> rollups = new ArrayList<>();
        for (Map.Entry<Integer, Long> e : newest.entrySet()) {
            int channelId = e.getKey();
            Optional<Channel> channel = info.channel(channelId);
            if (channel.isEmpty()) {
                continue;
            }
            long from = rolled.getOrDefault(channelId, Long.MIN_VALUE);
            ChannelState state = new ChannelState(channel.get());
            recompute(state, from, hourOf(e.getValue()) + HOUR, rollups);
            states.put(channelId, state);
        }
        stale.addAll(store.staleHours());
        upsert(rollups);
        flush();
        LOG.info("Rollups recovered for {} channels", newest.size());
    }

    /** Folds in readings that are newer than every stored reading of their channel, in time order per channel. */
    public void addFresh(List<Reading> readings) {
        for (Reading r : readings) {
            ChannelState state = states.get(r.channelId());
            if (state == null) {
                Optional<Channel> channel = info.channel(r.channelId());
                if (channel.isEmpty()) {
                    continue;
                }
                state = new ChannelState(channel.get());
                states.put(r.channelId(), state);
            }
            state.add(r, rules, closed);
            changed.add(r.channelId());
        }
    }

    /** Marks hours whose stored readings changed behind the open accumulators. */
    public void markStale(Collection<ReadingKey> hours) {
        stale.addAll(hours);
    }

    /**
     * Writes every changed hour and the days they belong to; recomputes stale hours from stored readings, as many as
     * fit in {@link #STALE_BUDGET_NANOS} (the rest at the next flushes: the flush runs on the writer's thread, and a
     * gateway that sends a day of buffered readings for thousands of channels must not hold up ingest).
     */
    public void flush() {
        List<Rollup> pendingClosed = new ArrayList<>(closed);
        List<Rollup> rollups = new ArrayList<>(closed);
        for (int channelId : changed) {
            ChannelState state = states.get(channelId);
            if (state != null && state.open != null) {
                rollups.add(state.open.toRollup());
            }
        }
        Set<Integer> pendingChanged = new HashSet<>(changed);
        List<ReadingKey> done = new ArrayList<>();
        closed.clear();
        changed.clear();
        try {
            long deadline = System.nanoTime() + STALE_BUDGET_NANOS;
            for (java.util.Iterator<ReadingKey> it = stale.iterator(); it.hasNext(); ) {
                ReadingKey hour = it.next();
                recomputeStale(hour.channelId(), hour.timestamp(), rollups);
                done.add(hour);
                it.remove();
                if (System.nanoTime() > deadline) {
                    break;
                }
            }
            upsert(rollups);
            if (!done.isEmpty()) {
                store.clearStaleHours(done);
            }
        } catch (RuntimeException e) {
            // keep everything for the next flush: nothing of it may be lost while the store is away
            closed.addAll(0, pendingClosed);
            changed.addAll(pendingChanged);
            stale.addAll(done);
            throw e;
        }
    }

    private void recomputeStale(int channelId, long hour, List<Rollup> out) {
        Optional<Channel> channel = info.channel(channelId);
        if (channel.isEmpty()) {
            return;
        }
        ChannelState state = states.computeIfAbsent(channelId, id -> new ChannelState(channel.get()));
        long end = hour + HOUR;
        Optional<Reading> next = store.readingAfter(channelId, end - 1);
        if (next.isPresent()) {
            end = Math.max(end, hourOf(next.get().timestamp()) + HOUR);
        }
        ChannelState scratch = new ChannelState(channel.get());
        recompute(scratch, hour, end, out);
        if (state.open != null && scratch.open != null && scratch.open.start() == state.open.start()) {
            state.open = scratch.open;
        }
    }

    /**
     * Recomputes every hour in {@code [from, to)} of the channel from stored readings into {@code out}, leaving the
     * state at the last reading with its hour open.
     */
    private void recompute(ChannelState state, long from, long to, List<Rollup> out) {
        int channelId = state.channel.id();
        Optional<Reading> before = from == Long.MIN_VALUE ? Optional.empty() : store.readingBefore(channelId, from);
        before.ifPresent(r -> {
            state.last = r;
            state.jumped = null;
        });
        if (before.isPresent() && state.channel.accumulation() == Accumulation.CUMULATIVE) {
            warmUp(state, from);
        }
        long cursor = from;
        List<Rollup> local = new ArrayList<>();
        while (true) {
            List<Reading> page = store.readings(channelId, cursor, to, PAGE);
            for (Reading r : page) {
                state.add(r, rules, local);
            }
            if (page.size() < PAGE) {
                break;
            }
            cursor = page.get(page.size() - 1).timestamp() + 1;
        }
        out.addAll(local);
        if (state.open != null) {
            out.add(state.open.toRollup());
        }
    }

    /**
     * A register's trusted value at {@code from} depends on the readings before it (after a small step back it keeps
     * its highest value; after a jump it waits for the next reading), so the hour before is replayed without
     * rollups, and a recomputation starts where the live rollups did.
     */
    private void warmUp(ChannelState state, long from) {
        int channelId = state.channel.id();
        List<Reading> warm = store.readings(channelId, from - HOUR, from, PAGE);
        if (warm.isEmpty()) {
            return;
        }
        state.last = store.readingBefore(channelId, from - HOUR).orElse(null);
        state.jumped = null;
        for (Reading r : warm) {
            state.consumption(r, rules);
        }
    }

    private void upsert(List<Rollup> rollups) {
        if (rollups.isEmpty()) {
            return;
        }
        Map<ReadingKey, Rollup> unique = new HashMap<>();
        Set<DayKey> days = new HashSet<>();
        for (Rollup r : rollups) {
            unique.put(new ReadingKey(r.channelId(), r.start()), r);
            days.add(dayOf(r.channelId(), r.start()));
        }
        store.upsertHourly(unique.values());
        store.rebuildDaily(days);
    }

    private DayKey dayOf(int channelId, long timestamp) {
        ZoneId zone = info.zone(channelId);
        LocalDate date = Instant.ofEpochMilli(timestamp).atZone(zone).toLocalDate();
        long start = date.atStartOfDay(zone).toInstant().toEpochMilli();
        long end = date.plusDays(1).atStartOfDay(zone).toInstant().toEpochMilli();
        return new DayKey(channelId, start, end);
    }

    /** The last reading and the open hour of one channel. */
    private static final class ChannelState {
        final Channel channel;
        final boolean withEnergy;

        @Nullable
        Reading last;

        @Nullable
        Reading jumped;

        @Nullable
        PeriodAccumulator open;

        ChannelState(Channel channel) {
            this.channel = channel;
            this.withEnergy = EnergyRules.hasConsumption(channel);
        }

        void add(Reading r, EnergyRules rules, List<Rollup> closedOut) {
            long hour = hourOf(r.timestamp());
            if (open == null || open.start() != hour) {
                if (open != null && !open.isEmpty()) {
                    closedOut.add(open.toRollup());
                }
                open = new PeriodAccumulator(channel.id(), hour, withEnergy);
            }
            open.add(r.value(), consumption(r, rules));
        }

        /**
         * The consumption since the last trusted reading. A register that jumps absurdly is not trusted at once:
         * the next reading decides whether the jump was a glitch (it continues from before) or a new meter (it
         * continues from the jump), and the jump itself is never counted.
         */
        private double consumption(Reading r, EnergyRules rules) {
            if (last == null) {
                last = r;
                return rules.first(channel, r.value());
            }
            if (channel.accumulation() != Accumulation.CUMULATIVE) {
                double c = rules.between(channel, last.timestamp(), last.value(), r.timestamp(), r.value());
                last = r;
                return c;
            }
            CounterStep step = rules.counterStep(channel, last.timestamp(), last.value(), r.timestamp(), r.value());
            if (step.kind() == CounterStep.Kind.STEP_BACK) {
                // the register keeps its highest value: counting resumes once it passes it again
                jumped = null;
                return 0;
            }
            if (step.kind() != CounterStep.Kind.SPIKE) {
                last = r;
                jumped = null;
                return step.delta();
            }
            if (jumped != null) {
                CounterStep fromJump =
                        rules.counterStep(channel, jumped.timestamp(), jumped.value(), r.timestamp(), r.value());
                if (fromJump.kind() == CounterStep.Kind.NORMAL) {
                    last = r;
                    jumped = null;
                    return fromJump.delta();
                }
            }
            jumped = r;
            return 0;
        }
    }
}
