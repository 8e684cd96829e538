package io.meterbase.core.energy;

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
 * Keeps hourly and daily rollups up to date as readings become durable. A reading's value counts in the hour it was
 * read; the consumption between it and the reading before it is booked to the time it covers, shared among the
 * hours that time spans (linearly for registers and intervals, by the trapezoid for power), with shares of steps
 * longer than an hour marked estimated and power or interval gaps recorded as gaps. Readings newer than everything
 * stored of their channel are folded in as they come; late readings mark their hour stale, and a stale hour is
 * recomputed from the stored readings together with every hour the steps around it cover. {@link #flush()} writes
 * what changed.
 *
 * <p>Several nodes may write readings of one channel (a load balancer or the broker's shared subscription spreads a
 * device's uploads over them). Each tracker writes its running totals as its own {@link #writer() writer}: the
 * store takes them only for hours no other writer wrote ({@link ReadingStore#upsertHourlyOf}); an hour another
 * writer holds is recomputed from the stored readings, and that rollup replaces the stored one only if no one wrote
 * it meanwhile ({@link ReadingStore#replaceHourly}), else it is recomputed again. A reading older than what the
 * tracker has seen of its channel (another node's came first) makes its hour stale.
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
    /** Stale hours known only here (refused, or older than what was seen): marked in the store if left over. */
    private final Set<ReadingKey> unmarked = new HashSet<>();

    private final long writer;

    public RollupTracker(ReadingStore store, ChannelInfo info, EnergyRules rules) {
        this(store, info, rules, newWriter());
    }

    /** A tracker that writes its running totals as {@code writer} (not 0, which stands for no writer). */
    public RollupTracker(ReadingStore store, ChannelInfo info, EnergyRules rules, long writer) {
        if (writer == 0) {
            throw new IllegalArgumentException("writer: must not be 0");
        }
        this.store = store;
        this.info = info;
        this.rules = rules;
        this.writer = writer;
    }

    private static long newWriter() {
        long id;
        do {
            id = new java.security.SecureRandom().nextLong();
        } while (id == 0);
        return id;
    }

    /** The id this tracker writes its running totals under: one per process, so each node has its own. */
    public long writer() {
        return writer;
    }

    /** Rollups recovered are written in batches of about this many. */
    private static final int RECOVER_BATCH = 50_000;

    public static long hourOf(long timestamp) {
        return Math.floorDiv(timestamp, HOUR) * HOUR;
    }

    /**
     * Rebuilds what a crash may have left unrolled: every hour from each channel's newest hourly rollup to its
     * newest reading, and every hour marked stale, then opens each channel's newest hour.
     */
    public void recover() {
        recover((done, total) -> {});
    }

    /**
     * As {@link #recover()}, telling {@code progress} how many channels of how many are done, every 10 s and at the
     * end (for {@code meterbase rebuild-rollups} over years of history).
     */
    public void recover(java.util.function.BiConsumer<Integer, Integer> progress) {
        Map<Integer, Long> newest = store.newestTimestamps();
        Map<Integer, Long> rolled = store.newestHourly();
        Recomputed rollups = new Recomputed();
        int done = 0;
        long said = System.nanoTime();
        for (Map.Entry<Integer, Long> e : newest.entrySet()) {
            if (System.nanoTime() - said >= 10_000_000_000L) {
                said = System.nanoTime();
                progress.accept(done, newest.size());
            }
            done++;
            int channelId = e.getKey();
            Optional<Channel> channel = info.channel(channelId);
            if (channel.isEmpty()) {
                continue;
            }
            long from = rolled.getOrDefault(channelId, Long.MIN_VALUE);
            long to = hourOf(e.getValue()) + HOUR;
            Map<Long, Long> versions = store.hourlyVersions(channelId, from, to);
            ChannelState state = new ChannelState(channel.get());
            List<Rollup> local = new ArrayList<>();
            recompute(state, from, to, false, local);
            rollups.add(local, versions);
            states.put(channelId, state);
            if (rollups.size() >= RECOVER_BATCH) {
                // a rebuild of all history (meterbase rebuild-rollups) writes as it goes, not all at the end
                stale.addAll(replace(rollups));
                rollups = new Recomputed();
            }
        }
        stale.addAll(store.staleHours());
        stale.addAll(replace(rollups));
        flush();
        progress.accept(newest.size(), newest.size());
        LOG.info("Rollups recovered for {} channels", newest.size());
    }

    /**
     * Folds in readings that are newer than every stored reading of their channel, in time order per channel; says
     * whether a channel was seen for the first time (its rollups are then worth writing at once).
     */
    public boolean addFresh(List<Reading> readings) {
        boolean newChannel = false;
        for (Reading r : readings) {
            ChannelState state = states.get(r.channelId());
            if (state == null) {
                Optional<Channel> channel = info.channel(r.channelId());
                if (channel.isEmpty()) {
                    continue;
                }
                state = new ChannelState(channel.get());
                states.put(r.channelId(), state);
                newChannel = true;
            }
            if (r.timestamp() <= state.previousTs) {
                // another node stored a newer reading of the channel first: this one is late here
                ReadingKey hour = new ReadingKey(r.channelId(), hourOf(r.timestamp()));
                stale.add(hour);
                unmarked.add(hour);
                continue;
            }
            state.add(r, rules, closed, Long.MIN_VALUE, Long.MAX_VALUE);
            changed.add(r.channelId());
        }
        return newChannel;
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
        Set<Integer> pendingChanged = new HashSet<>(changed);
        List<ReadingKey> done = new ArrayList<>();
        closed.clear();
        changed.clear();
        try {
            long deadline = System.nanoTime() + STALE_BUDGET_NANOS;
            Recomputed recomputed = recomputeStale(deadline, done);
            Map<ReadingKey, Rollup> own = new HashMap<>();
            for (Rollup r : pendingClosed) {
                own.put(new ReadingKey(r.channelId(), r.start()), r);
            }
            for (int channelId : pendingChanged) {
                ChannelState state = states.get(channelId);
                if (state != null && state.open != null) {
                    Rollup r = state.open.toRollup();
                    own.put(new ReadingKey(r.channelId(), r.start()), r);
                }
            }
            own.keySet().removeAll(recomputed.rollups.keySet()); // the recompute holds these and more
            Set<ReadingKey> refused = new LinkedHashSet<>(replace(recomputed));
            refused.addAll(store.upsertHourlyOf(writer, own.values()));
            rebuildDays(own.values());
            // hours other nodes wrote too: recomputed from the stored readings now, as the budget allows
            while (!refused.isEmpty() && System.nanoTime() <= deadline) {
                stale.addAll(refused);
                Recomputed again = recomputeStale(deadline, done);
                refused = new LinkedHashSet<>(replace(again));
            }
            stale.addAll(refused);
            unmarked.addAll(refused);
            done.forEach(unmarked::remove);
            if (!done.isEmpty()) {
                store.clearStaleHours(done);
            }
            // hours left for later flushes are marked in the store, so that a crash does not forget them
            List<ReadingKey> left = new ArrayList<>();
            for (ReadingKey k : unmarked) {
                if (stale.contains(k)) {
                    left.add(k);
                }
            }
            unmarked.clear();
            if (!left.isEmpty()) {
                store.append(new io.meterbase.core.store.WriteBatch(List.of(), List.of(), left));
            }
        } catch (RuntimeException e) {
            // keep everything for the next flush: nothing of it may be lost while the store is away
            closed.addAll(0, pendingClosed);
            changed.addAll(pendingChanged);
            stale.addAll(done);
            throw e;
        }
    }

    /** Hours not recomputed yet (stale or held by another writer), for tests and the metrics. */
    public int staleCount() {
        return stale.size();
    }

    /** Recomputes stale hours until the deadline (at least one); those done are added to {@code done}. */
    private Recomputed recomputeStale(long deadline, List<ReadingKey> done) {
        Recomputed out = new Recomputed();
        for (java.util.Iterator<ReadingKey> it = stale.iterator(); it.hasNext(); ) {
            ReadingKey hour = it.next();
            recomputeStale(hour.channelId(), hour.timestamp(), out);
            done.add(hour);
            it.remove();
            if (System.nanoTime() > deadline) {
                break;
            }
        }
        return out;
    }

    /** Rollups recomputed from stored readings, each with the version its hour had before they were read. */
    private static final class Recomputed {
        final Map<ReadingKey, Rollup> rollups = new HashMap<>();
        final Map<ReadingKey, Long> seen = new HashMap<>();

        void add(List<Rollup> computed, Map<Long, Long> versions) {
            for (Rollup r : computed) {
                ReadingKey key = new ReadingKey(r.channelId(), r.start());
                rollups.put(key, r);
                seen.put(key, versions.getOrDefault(r.start(), 0L));
            }
        }

        int size() {
            return rollups.size();
        }
    }

    /** Writes recomputed rollups and their days; returns the hours another node wrote meanwhile. */
    private Set<ReadingKey> replace(Recomputed recomputed) {
        if (recomputed.rollups.isEmpty()) {
            return Set.of();
        }
        Set<ReadingKey> changedMeanwhile = store.replaceHourly(writer, recomputed.rollups.values(), recomputed.seen);
        rebuildDays(recomputed.rollups.values());
        return changedMeanwhile;
    }

    /**
     * Recomputes a stale hour and every hour the steps into and out of it cover: from the hour of the reading before
     * it to the hour of the reading after it.
     */
    private void recomputeStale(int channelId, long hour, Recomputed out) {
        Optional<Channel> channel = info.channel(channelId);
        if (channel.isEmpty()) {
            return;
        }
        ChannelState state = states.computeIfAbsent(channelId, id -> new ChannelState(channel.get()));
        long from = store.readingBefore(channelId, hour)
                .map(r -> Math.min(hour, hourOf(r.timestamp())))
                .orElse(hour);
        long end = hour + HOUR;
        Optional<Reading> next = store.readingAfter(channelId, end - 1);
        if (next.isPresent()) {
            end = Math.max(end, hourOf(next.get().timestamp()) + HOUR);
        }
        // the versions are read before the readings: a write by another node after this point changes them
        Map<Long, Long> versions = store.hourlyVersions(channelId, from, end);
        ChannelState scratch = new ChannelState(channel.get());
        List<Rollup> local = new ArrayList<>();
        recompute(scratch, from, end, true, local);
        out.add(local, versions);
        if (state.open != null && scratch.open != null && scratch.open.start() == state.open.start()) {
            state.continueFrom(scratch);
        }
    }

    /**
     * Recomputes every hour in {@code [from, to)} of the channel from stored readings into {@code out}: the readings
     * before {@code from} are replayed for the state they leave (a register's trusted value, an interval's period)
     * and the reading after {@code to} ({@code withTail}) for its step's share in the last hours; shares outside the
     * range are left alone. The state ends at the last reading in the range, with its hour open.
     */
    private void recompute(ChannelState state, long from, long to, boolean withTail, List<Rollup> out) {
        int channelId = state.channel.id();
        List<Rollup> local = new ArrayList<>();
        if (from != Long.MIN_VALUE && state.withEnergy) {
            warmUp(state, from, to, local);
        }
        long cursor = from;
        while (true) {
            List<Reading> page = store.readings(channelId, cursor, to, PAGE);
            for (Reading r : page) {
                state.add(r, rules, local, from, to);
            }
            if (page.size() < PAGE) {
                break;
            }
            cursor = page.get(page.size() - 1).timestamp() + 1;
        }
        if (withTail && state.withEnergy) {
            store.readingAfter(channelId, to - 1).ifPresent(r -> state.add(r, rules, local, from, to));
        }
        out.addAll(local);
        if (state.open != null) {
            out.add(state.open.toRollup());
        }
    }

    /**
     * The state at {@code from} depends on the readings before it (a register keeps its highest value after a small
     * step back and waits for the next reading after a jump; an interval channel's period is learned from its
     * steps), so the hour before is replayed, its shares outside {@code [from, to)} dropped.
     */
    private void warmUp(ChannelState state, long from, long to, List<Rollup> out) {
        int channelId = state.channel.id();
        List<Reading> warm = store.readings(channelId, from - HOUR, from, PAGE);
        Optional<Reading> start = store.readingBefore(channelId, from - HOUR);
        if (warm.isEmpty()) {
            start = store.readingBefore(channelId, from);
        }
        start.ifPresent(state::startAt);
        for (Reading r : warm) {
            state.add(r, rules, out, from, to);
        }
    }

    private void rebuildDays(Collection<Rollup> rollups) {
        if (rollups.isEmpty()) {
            return;
        }
        Set<DayKey> days = new HashSet<>();
        for (Rollup r : rollups) {
            days.add(dayOf(r.channelId(), r.start()));
        }
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

        /** The reading steps are counted from (for a register: its trusted value). */
        @Nullable
        Reading last;

        /** A register's absurd jump, waiting for the next reading to decide. */
        @Nullable
        Reading jumped;

        /** The time of the reading added last, trusted or not: no share is booked before it. */
        long previousTs = Long.MIN_VALUE;

        /** An interval channel's period: its last step of at most an hour; 0 while unknown. */
        long period;

        /** The hour of the reading added last, and of any share after it. */
        @Nullable
        PeriodAccumulator open;

        ChannelState(Channel channel) {
            this.channel = channel;
            this.withEnergy = EnergyRules.hasConsumption(channel);
        }

        /** Takes over the state of a recompute from the stored readings that ended in the same open hour. */
        void continueFrom(ChannelState recomputed) {
            last = recomputed.last;
            jumped = recomputed.jumped;
            previousTs = Math.max(previousTs, recomputed.previousTs);
            period = recomputed.period;
            open = recomputed.open;
        }

        /** Starts counting from a stored reading, as if it had just been added. */
        void startAt(Reading r) {
            last = r;
            jumped = null;
            previousTs = r.timestamp();
        }

        /**
         * Adds a reading: its value to its hour, the consumption since the reading before it to the hours it
         * covers. Only hours in {@code [from, to)} are touched; hours left behind go to {@code closedOut}.
         */
        void add(Reading r, EnergyRules rules, List<Rollup> closedOut, long from, long to) {
            if (withEnergy) {
                book(r, rules, closedOut, from, to);
            }
            previousTs = Math.max(previousTs, r.timestamp());
            long hour = hourOf(r.timestamp());
            if (hour >= from && hour < to) {
                hour(hour, closedOut).add(r.value());
            }
        }

        /** Books the consumption since the reading before {@code r} to the time it covers. */
        private void book(Reading r, EnergyRules rules, List<Rollup> out, long from, long to) {
            long t = r.timestamp();
            Reading before = last;
            switch (channel.accumulation()) {
                case INTERVAL -> {
                    last = r;
                    if (before == null) {
                        share(t - 1, t, r.value(), false, out, from, to); // a first interval ends at its stamp
                        return;
                    }
                    long d = t - before.timestamp();
                    if (d <= 0) {
                        return;
                    }
                    if (d <= HOUR) {
                        period = d;
                    }
                    long covered = Math.min(d, period > 0 ? period : HOUR);
                    gap(before.timestamp(), t - covered, out, from, to);
                    share(t - covered, t, r.value(), false, out, from, to);
                }
                case INSTANT -> {
                    last = r;
                    if (before == null) {
                        return;
                    }
                    long d = t - before.timestamp();
                    if (rules.integrates(d)) {
                        power(before.timestamp(), before.value(), t, r.value(), out, from, to);
                    } else {
                        gap(before.timestamp(), t, out, from, to);
                    }
                }
                case CUMULATIVE -> register(r, rules, out, from, to);
            }
        }

        /**
         * A register's step since its last trusted reading. A register that jumps absurdly is not trusted at once:
         * the next reading decides whether the jump was a glitch (it continues from before) or a new meter (it
         * continues from the jump), and the jump itself is never counted.
         */
        private void register(Reading r, EnergyRules rules, List<Rollup> out, long from, long to) {
            Reading before = last;
            if (before == null) {
                last = r;
                return;
            }
            long t = r.timestamp();
            CounterStep step = rules.counterStep(channel, before.timestamp(), before.value(), t, r.value());
            if (step.kind() == CounterStep.Kind.STEP_BACK) {
                // the register keeps its highest value: counting resumes once it passes it again
                jumped = null;
                return;
            }
            if (step.kind() != CounterStep.Kind.SPIKE) {
                last = r;
                jumped = null;
                share(before.timestamp(), t, step.delta(), t - before.timestamp() > HOUR, out, from, to);
                return;
            }
            Reading jump = jumped;
            if (jump != null) {
                CounterStep fromJump = rules.counterStep(channel, jump.timestamp(), jump.value(), t, r.value());
                if (fromJump.kind() == CounterStep.Kind.NORMAL) {
                    last = r;
                    jumped = null;
                    share(jump.timestamp(), t, fromJump.delta(), t - jump.timestamp() > HOUR, out, from, to);
                    return;
                }
            }
            jumped = r;
        }

        /** Shares an amount among the hours of {@code (t0, t1]} by time. */
        private void share(long t0, long t1, double amount, boolean estimated, List<Rollup> out, long from, long to) {
            long start = Math.max(t0, previousTs);
            if (t1 <= start) {
                start = t1 - 1; // a step into the reading's own instant (no time left after the reading before)
            }
            double length = t1 - start;
            for (long h = Math.max(hourOf(start), from); h < t1 && h < to; h += HOUR) {
                long a = Math.max(start, h);
                long b = Math.min(t1, h + HOUR);
                if (b > a) {
                    hour(h, out).addShare(amount * ((b - a) / length), estimated);
                }
            }
        }

        /**
         * Books power integrated by the trapezoid between two readings, each hour its own part. Where the power
         * changes sign in a part, the part is split where the line crosses zero: what flowed each way is booked to
         * its own side (energy in, energy out), never netted.
         */
        private void power(long t0, double p0, long t1, double p1, List<Rollup> out, long from, long to) {
            double slope = (p1 - p0) / (t1 - t0);
            for (long h = Math.max(hourOf(t0), from); h < t1 && h < to; h += HOUR) {
                long a = Math.max(t0, h);
                long b = Math.min(t1, h + HOUR);
                if (b > a) {
                    double pa = p0 + slope * (a - t0);
                    double pb = p0 + slope * (b - t0);
                    PeriodAccumulator acc = hour(h, out);
                    if ((pa < 0 && pb > 0) || (pa > 0 && pb < 0)) {
                        double zero = (b - a) * pa / (pa - pb); // ms from a to the crossing
                        acc.addShare(pa / 2 * zero / 3_600_000.0, false);
                        acc.addShare(pb / 2 * ((b - a) - zero) / 3_600_000.0, false);
                    } else {
                        acc.addShare((pa + pb) / 2 * (b - a) / 3_600_000.0, false);
                    }
                }
            }
        }

        /** Records {@code (t0, t1]} as time in which the consumption is unknown. */
        private void gap(long t0, long t1, List<Rollup> out, long from, long to) {
            for (long h = Math.max(hourOf(t0), from); h < t1 && h < to; h += HOUR) {
                long a = Math.max(t0, h);
                long b = Math.min(t1, h + HOUR);
                if (b > a) {
                    hour(h, out).addGap(b - a);
                }
            }
        }

        /** The accumulator of an hour at or after the open one; the hours before it are closed into {@code out}. */
        private PeriodAccumulator hour(long hour, List<Rollup> out) {
            PeriodAccumulator current = open;
            if (current != null && current.start() == hour) {
                return current;
            }
            if (current != null && hour < current.start()) {
                // cannot happen: every share starts at the reading added last, whose hour is open or later
                LOG.warn(
                        "Channel {}: a share for {} behind the open hour {} dropped",
                        channel.id(),
                        hour,
                        current.start());
                return new PeriodAccumulator(channel.id(), hour, withEnergy);
            }
            if (current != null && !current.isEmpty()) {
                out.add(current.toRollup());
            }
            PeriodAccumulator next = new PeriodAccumulator(channel.id(), hour, withEnergy);
            open = next;
            return next;
        }
    }
}
