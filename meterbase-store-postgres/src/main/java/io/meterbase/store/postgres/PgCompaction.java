package io.meterbase.store.postgres;

import com.zaxxer.hikari.HikariDataSource;
import io.meterbase.core.model.Quality;
import io.meterbase.core.model.Reading;
import io.meterbase.core.store.Compaction;
import io.meterbase.core.store.StoreException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Packs closed UTC days of raw readings into {@code readings_packed}, one row per channel and day (migration V12,
 * {@link PackedDay}).
 *
 * <p>One day at a time: the day's raw readings are read in channel order, and every {@value #DEFAULT_FLUSH}
 * readings or so (at a channel's end) one transaction, under the day's lock (exclusive; writers of late readings
 * take it shared), writes their packed rows — merged with the day's packed rows when it was packed before and got
 * late readings since — and deletes those raw rows. A compaction that dies midway leaves each channel's readings
 * either raw or packed, never both nor neither. One compaction runs at a time among all nodes and commands (a
 * session lock). A day is closed once it ended at least the configured time ago (an hour at least); the job goes on
 * from the newest day it went through, and goes through again the days that got late readings.
 */
final class PgCompaction implements Compaction {

    private static final Logger LOG = LoggerFactory.getLogger(PgCompaction.class);
    /** The class of the per-day advisory locks (two-key form): the key is the day's number since the epoch. */
    static final int DAY_LOCK = 0x6d62_6463; // "mbdc"
    /** The session lock one compaction holds while it runs. */
    private static final long RUN_LOCK = 0x6d62_636f_6d70L; // "mbcomp"

    static final int DEFAULT_FLUSH = 100_000;
    static final Duration MIN_AFTER = Duration.ofHours(1);

    private final HikariDataSource pool;
    private final LongSupplier firstMonthStart;
    private final int flushReadings;

    PgCompaction(HikariDataSource pool, LongSupplier firstMonthStart, int flushReadings) {
        this.pool = pool;
        this.firstMonthStart = firstMonthStart;
        this.flushReadings = flushReadings;
    }

    @Override
    public Report compact(Instant now, Duration after, Consumer<String> progress) {
        if (after.compareTo(MIN_AFTER) < 0) {
            throw new IllegalArgumentException(
                    "after: a day is packed an hour after its end at the earliest, was " + after);
        }
        long started = System.nanoTime();
        try (Connection reader = pool.getConnection()) {
            // the database's clock, as the writers' (at most the caller's now)
            long clock;
            try (Statement s = reader.createStatement();
                    ResultSet rs = s.executeQuery("SELECT (extract(epoch FROM now()) * 1000)::bigint")) {
                rs.next();
                clock = Math.min(rs.getLong(1), now.toEpochMilli());
            }
            long lastDay = PackedDay.dayOf(clock - after.toMillis() - PackedDay.DAY);
            try (Statement s = reader.createStatement();
                    ResultSet rs = s.executeQuery("SELECT pg_try_advisory_lock(" + RUN_LOCK + ")")) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    progress.accept("another compaction is running: nothing done");
                    return Report.NOTHING;
                }
            }
            try {
                Totals totals = new Totals();
                TreeSet<YearMonth> touched = new TreeSet<>();
                Map<Long, Long> days = days(reader, lastDay);
                for (Map.Entry<Long, Long> d : days.entrySet()) {
                    long day = d.getKey();
                    Totals one = compactDay(reader, day, d.getValue());
                    totals.add(one);
                    if (one.readings > 0) {
                        touched.add(YearMonth.from(LocalDate.ofEpochDay(day / PackedDay.DAY)));
                    }
                    if (one.readings > 0) {
                        progress.accept(String.format(
                                "%s: %,d readings of %,d channels packed in %,d bytes",
                                LocalDate.ofEpochDay(day / PackedDay.DAY),
                                one.readings,
                                one.channels,
                                one.packedBytes));
                    }
                }
                for (YearMonth month : touched) {
                    tidy(reader, month, lastDay);
                }
                Report report = new Report(
                        totals.days,
                        totals.channels,
                        totals.readings,
                        totals.packedBytes,
                        totals.rawBytes,
                        (System.nanoTime() - started) / 1_000_000);
                if (report.readings() > 0) {
                    LOG.info(
                            "Packed {} readings of {} days in {} ms ({} bytes, {} as raw rows)",
                            report.readings(),
                            report.days(),
                            report.millis(),
                            report.packedBytes(),
                            report.rawBytes());
                }
                return report;
            } finally {
                try {
                    reader.setAutoCommit(true);
                    try (Statement s = reader.createStatement()) {
                        s.execute("SELECT pg_advisory_unlock(" + RUN_LOCK + ")");
                    }
                } catch (SQLException e) {
                    // a connection that may still hold the run's lock never goes back to the pool
                    pool.evictConnection(reader);
                    throw e;
                }
            }
        } catch (SQLException e) {
            throw new StoreException("could not pack closed days of readings: " + e.getMessage(), e);
        }
    }

    private static final class Totals {
        int days;
        long channels;
        long readings;
        long packedBytes;
        long rawBytes;

        void add(Totals t) {
            days += t.days;
            channels += t.channels;
            readings += t.readings;
            packedBytes += t.packedBytes;
            rawBytes += t.rawBytes;
        }
    }

    /**
     * The days to go through, oldest first: those after the newest gone through, up to {@code lastDay}, and those
     * with late readings, with the number their mark has now (-1 for the others).
     */
    private Map<Long, Long> days(Connection c, long lastDay) throws SQLException {
        java.util.TreeMap<Long, Long> days = new java.util.TreeMap<>();
        Long newest = null;
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT max(day) FROM compaction_log")) {
            if (rs.next() && rs.getObject(1) != null) {
                newest = rs.getObject(1, LocalDate.class).toEpochDay() * PackedDay.DAY;
            }
        }
        long from = newest != null ? newest + PackedDay.DAY : firstMonthStart.getAsLong();
        for (long d = from; d <= lastDay; d += PackedDay.DAY) {
            days.put(d, -1L);
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT day, seq FROM compaction_pending WHERE day <= ?")) {
            ps.setObject(1, LocalDate.ofEpochDay(lastDay / PackedDay.DAY));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    days.put(rs.getObject(1, LocalDate.class).toEpochDay() * PackedDay.DAY, rs.getLong(2));
                }
            }
        }
        return days;
    }

    /**
     * Packs one day; then forgets its mark if no late reading marked it again since {@code mark} was read (a day
     * whose packing fails or dies keeps its mark, and is gone through again).
     */
    private Totals compactDay(Connection reader, long day, long mark) throws SQLException {
        LocalDate date = LocalDate.ofEpochDay(day / PackedDay.DAY);
        Totals totals = new Totals();
        totals.days = 1;
        YearMonth month = YearMonth.from(date);
        String raw = PostgresStore.table(PostgresStore.RAW, month);
        boolean exists;
        try (Statement s = reader.createStatement();
                ResultSet rs = s.executeQuery("SELECT to_regclass('" + raw + "') IS NOT NULL")) {
            rs.next();
            exists = rs.getBoolean(1);
        }
        if (exists) {
            double rawBytesPerRow = rawBytesPerRow(reader, raw);
            reader.setAutoCommit(false); // a cursor: the day's readings are fetched a part at a time
            try (PreparedStatement ps =
                    reader.prepareStatement("SELECT ctid::text, channel_id, ts, value, quality FROM " + raw
                            + " WHERE ts >= ? AND ts < ? ORDER BY channel_id, ts")) {
                ps.setFetchSize(10_000);
                ps.setObject(1, at(day));
                ps.setObject(2, at(day + PackedDay.DAY));
                Map<Integer, List<Reading>> part = new LinkedHashMap<>();
                List<String> ctids = new ArrayList<>();
                int pending = 0;
                int current = -1;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        int channel = rs.getInt(2);
                        if (channel != current && pending >= flushReadings) {
                            flush(day, raw, part, ctids, totals, rawBytesPerRow);
                            part.clear();
                            ctids.clear();
                            pending = 0;
                        }
                        current = channel;
                        ctids.add(rs.getString(1));
                        part.computeIfAbsent(channel, k -> new ArrayList<>())
                                .add(new Reading(
                                        channel,
                                        rs.getObject(3, OffsetDateTime.class)
                                                .toInstant()
                                                .toEpochMilli(),
                                        rs.getDouble(4),
                                        Quality.ofCode(rs.getInt(5))));
                        pending++;
                    }
                }
                if (pending > 0) {
                    flush(day, raw, part, ctids, totals, rawBytesPerRow);
                }
            } finally {
                reader.rollback(); // it only read
                reader.setAutoCommit(true);
            }
        }
        try (PreparedStatement ps = reader.prepareStatement("INSERT INTO compaction_log AS l VALUES (?, ?, ?, ?, now())"
                + " ON CONFLICT (day) DO UPDATE SET channels = l.channels + excluded.channels,"
                + " readings = l.readings + excluded.readings, packed_bytes = l.packed_bytes + excluded.packed_bytes,"
                + " at = excluded.at")) {
            ps.setObject(1, date);
            ps.setLong(2, totals.channels);
            ps.setLong(3, totals.readings);
            ps.setLong(4, totals.packedBytes);
            ps.executeUpdate();
        }
        if (mark >= 0) {
            try (PreparedStatement ps =
                    reader.prepareStatement("DELETE FROM compaction_pending WHERE day = ? AND seq <= ?")) {
                ps.setObject(1, date);
                ps.setLong(2, mark);
                ps.executeUpdate();
            }
        }
        return totals;
    }

    /**
     * Gives the space of the packed raw rows back: a month whose raw table is left empty and closed is emptied for
     * good (its index too), under a lock that keeps writers of late readings waiting for that moment; any other is
     * vacuumed, so that new rows reuse the space.
     */
    private static void tidy(Connection c, YearMonth month, long lastDay) throws SQLException {
        String raw = PostgresStore.table(PostgresStore.RAW, month);
        // first, so that the look for rows left under the lock below does not read the dead ones
        try (Statement s = c.createStatement()) {
            s.execute("VACUUM " + raw);
        }
        boolean closed = month.plusMonths(1).atDay(1).toEpochDay() * PackedDay.DAY <= lastDay + PackedDay.DAY;
        if (closed) {
            truncatedIfEmpty(c, raw);
        }
    }

    /** Truncates a raw month with no rows left; false when it has rows, or a long reader holds it (2 s at most). */
    private static boolean truncatedIfEmpty(Connection c, String raw) throws SQLException {
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            // not behind a long reader of the month (an export, a dump): every reader would queue behind this lock
            s.execute("SET LOCAL lock_timeout = '2s'");
            s.execute("LOCK TABLE " + raw + " IN ACCESS EXCLUSIVE MODE");
            boolean empty;
            try (ResultSet rs = s.executeQuery("SELECT NOT EXISTS (SELECT FROM " + raw + ")")) {
                rs.next();
                empty = rs.getBoolean(1);
            }
            if (empty) {
                s.execute("TRUNCATE " + raw);
            }
            c.commit();
            return empty;
        } catch (SQLException e) {
            c.rollback();
            if ("55P03".equals(e.getSQLState())) {
                LOG.info("{} is being read: vacuumed, not emptied (emptied when a late reading of it is packed)", raw);
                return false;
            }
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    /**
     * What a raw row takes with its index entries: the table's size over PostgreSQL's row estimate, or over its
     * rows counted when it has no estimate yet (a small table not analysed yet).
     */
    private static double rawBytesPerRow(Connection c, String raw) throws SQLException {
        try (Statement s = c.createStatement()) {
            long bytes;
            double rows;
            try (ResultSet rs = s.executeQuery("SELECT pg_total_relation_size(oid), reltuples FROM pg_class"
                    + " WHERE oid = '" + raw + "'::regclass")) {
                rs.next();
                bytes = rs.getLong(1);
                rows = rs.getDouble(2);
            }
            if (rows <= 0) {
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + raw)) {
                    rs.next();
                    rows = rs.getLong(1);
                }
            }
            return rows > 0 ? bytes / rows : 0;
        }
    }

    /**
     * One transaction: the packed rows of these channels' readings (merged with what the day holds packed already)
     * in, the raw rows out, under the day's exclusive lock.
     */
    private void flush(
            long day,
            String raw,
            Map<Integer, List<Reading>> part,
            List<String> ctids,
            Totals totals,
            double rawBytesPerRow)
            throws SQLException {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (Statement s = c.createStatement()) {
                    s.executeQuery("SELECT pg_advisory_xact_lock(" + DAY_LOCK + ", " + (day / PackedDay.DAY) + ")")
                            .close();
                }
                Integer[] channels = part.keySet().toArray(Integer[]::new);
                Map<Integer, PackedDay> before = new HashMap<>();
                long bytesBefore = 0;
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM readings_packed p WHERE period_start = ?"
                        + " AND channel_id = ANY(?) RETURNING channel_id, quality, divisor, deltas, small, scaled,"
                        + " raw, qualities, first_ms, step_ms, pg_column_size(p.*)")) {
                    ps.setObject(1, at(day));
                    ps.setArray(2, c.createArrayOf("int4", channels));
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            PackedDay p = packedDay(rs, day);
                            before.put(p.channelId(), p);
                            bytesBefore += rs.getLong(11);
                        }
                    }
                }
                PGConnection pg = c.unwrap(PGConnection.class);
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO readings_packed"
                        + " (period_start, channel_id, n, quality, divisor, deltas, small, scaled, raw, qualities,"
                        + " first_ms, step_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                    for (Map.Entry<Integer, List<Reading>> e : part.entrySet()) {
                        PackedDay old = before.get(e.getKey());
                        List<Reading> readings = old == null ? e.getValue() : merge(old.readings(), e.getValue());
                        PackedDay p = PackedDay.pack(e.getKey(), day, readings);
                        ps.setObject(1, at(day));
                        ps.setInt(2, p.channelId());
                        ps.setInt(3, p.size());
                        ps.setObject(4, p.quality(), java.sql.Types.SMALLINT);
                        ps.setObject(5, p.divisor(), java.sql.Types.DOUBLE);
                        ps.setArray(6, p.deltas() == null ? null : pg.createArrayOf("int4", p.deltas()));
                        ps.setArray(7, p.small() == null ? null : pg.createArrayOf("int2", p.small()));
                        ps.setArray(8, p.scaled() == null ? null : pg.createArrayOf("int4", p.scaled()));
                        ps.setArray(9, p.raw() == null ? null : pg.createArrayOf("float8", p.raw()));
                        ps.setArray(10, p.qualities() == null ? null : pg.createArrayOf("int2", p.qualities()));
                        ps.setInt(11, p.first());
                        ps.setInt(12, p.step());
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                java.util.Set<io.meterbase.core.store.ReadingKey> expected = new java.util.HashSet<>();
                part.values()
                        .forEach(list -> list.forEach(r ->
                                expected.add(new io.meterbase.core.store.ReadingKey(r.channelId(), r.timestamp()))));
                java.util.Set<io.meterbase.core.store.ReadingKey> deleted = new java.util.HashSet<>();
                try (PreparedStatement ps = c.prepareStatement(
                        "DELETE FROM " + raw + " WHERE ctid = ANY(?::tid[]) RETURNING channel_id, ts")) {
                    ps.setArray(1, c.createArrayOf("text", ctids.toArray(String[]::new)));
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            deleted.add(new io.meterbase.core.store.ReadingKey(
                                    rs.getInt(1),
                                    rs.getObject(2, OffsetDateTime.class)
                                            .toInstant()
                                            .toEpochMilli()));
                        }
                    }
                }
                if (!deleted.equals(expected) || deleted.size() != ctids.size()) {
                    throw new SQLException("the raw readings changed while they were packed (" + deleted.size() + " of "
                            + ctids.size() + " found as read): nothing of this part is kept");
                }
                long bytes;
                try (PreparedStatement ps = c.prepareStatement("SELECT coalesce(sum(pg_column_size(p.*)), 0)"
                        + " FROM readings_packed p WHERE period_start = ? AND channel_id = ANY(?)")) {
                    ps.setObject(1, at(day));
                    ps.setArray(2, c.createArrayOf("int4", channels));
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        bytes = rs.getLong(1);
                    }
                }
                c.commit();
                long previously =
                        before.values().stream().mapToLong(PackedDay::size).sum();
                totals.channels += part.size() - before.size();
                totals.readings += ctids.size();
                totals.packedBytes += bytes - bytesBefore;
                totals.rawBytes += Math.round(rawBytesPerRow * ctids.size());
                if (previously > 0) {
                    LOG.debug("Day {}: {} late readings merged into {} packed", day, ctids.size(), previously);
                }
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    /** Two channels' lists of readings in time order merged; where both hold a timestamp the packed one is kept. */
    private static List<Reading> merge(List<Reading> packed, List<Reading> raw) {
        List<Reading> out = new ArrayList<>(packed.size() + raw.size());
        int i = 0;
        int j = 0;
        while (i < packed.size() || j < raw.size()) {
            if (j >= raw.size()) {
                out.add(packed.get(i++));
            } else if (i >= packed.size()) {
                out.add(raw.get(j++));
            } else {
                long a = packed.get(i).timestamp();
                long b = raw.get(j).timestamp();
                if (a < b) {
                    out.add(packed.get(i++));
                } else if (b < a) {
                    out.add(raw.get(j++));
                } else {
                    out.add(packed.get(i++));
                    j++;
                }
            }
        }
        return out;
    }

    private static PackedDay packedDay(ResultSet rs, long day) throws SQLException {
        int channel = rs.getInt(1);
        short quality = rs.getShort(2);
        Short q = rs.wasNull() ? null : quality;
        double divisor = rs.getDouble(3);
        Double d = rs.wasNull() ? null : divisor;
        return new PackedDay(
                channel,
                day,
                q,
                d,
                rs.getInt(9),
                rs.getInt(10),
                rs.getArray(4) == null ? null : ints((Integer[]) rs.getArray(4).getArray()),
                shorts(rs.getArray(5)),
                rs.getArray(6) == null ? null : ints((Integer[]) rs.getArray(6).getArray()),
                doubles(rs.getArray(7)),
                shorts(rs.getArray(8)));
    }

    private static int[] ints(Integer[] boxed) {
        int[] out = new int[boxed.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = boxed[i];
        }
        return out;
    }

    private static short @Nullable [] shorts(@Nullable Array a) throws SQLException {
        if (a == null) {
            return null;
        }
        Short[] boxed = (Short[]) a.getArray();
        short[] out = new short[boxed.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = boxed[i];
        }
        return out;
    }

    private static double @Nullable [] doubles(@Nullable Array a) throws SQLException {
        if (a == null) {
            return null;
        }
        Double[] boxed = (Double[]) a.getArray();
        double[] out = new double[boxed.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = boxed[i];
        }
        return out;
    }

    private static OffsetDateTime at(long millis) {
        return Instant.ofEpochMilli(millis).atOffset(ZoneOffset.UTC);
    }
}
