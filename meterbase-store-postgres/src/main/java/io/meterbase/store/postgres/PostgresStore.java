package io.meterbase.store.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.meterbase.core.model.Quality;
import io.meterbase.core.model.Reading;
import io.meterbase.core.store.Bucket;
import io.meterbase.core.store.CsvExport;
import io.meterbase.core.store.DayKey;
import io.meterbase.core.store.DocumentStore;
import io.meterbase.core.store.Leases;
import io.meterbase.core.store.MetadataStore;
import io.meterbase.core.store.QuarantineEntry;
import io.meterbase.core.store.ReadingKey;
import io.meterbase.core.store.ReadingStore;
import io.meterbase.core.store.Rollup;
import io.meterbase.core.store.StorageStats;
import io.meterbase.core.store.Store;
import io.meterbase.core.store.StoreException;
import io.meterbase.core.store.WriteBatch;
import io.meterbase.store.jdbc.Dialect;
import io.meterbase.store.jdbc.JdbcMetadataStore;
import io.meterbase.store.jdbc.RollupQueries;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import org.flywaydb.core.Flyway;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The production store on PostgreSQL: readings in declarative monthly partitions written by binary COPY inside
 * one transaction per batch (with the batch's quarantine rows and stale-hour marks), rollups upserted, metadata
 * in plain tables. The schema comes from Flyway migrations. Connections come from HikariCP; when the server is
 * away, calls fail fast with {@link StoreException} and the pool reconnects by itself once it is back.
 */
public final class PostgresStore implements Store, ReadingStore {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresStore.class);
    private static final String TS_OF_MS = "(timestamptz 'epoch' + ? * interval '1 millisecond')";
    /** The advisory lock (one bigint key) under which a month's partition is created. */
    private static final long PARTITION_LOCK = 0x6d62_7061_7274L; // "mbpart"

    private final HikariDataSource pool;
    private final PooledConnections connections;
    private final JdbcMetadataStore metadata;
    private final RollupQueries rollupQueries;
    private final Set<YearMonth> months = new ConcurrentSkipListSet<>();
    private @Nullable PgLeases leases;
    private @Nullable PgAllowances allowances;

    private PostgresStore(HikariDataSource pool) {
        this.pool = pool;
        this.connections = new PooledConnections(pool);
        this.metadata = new JdbcMetadataStore(connections, connections, Dialect.POSTGRES);
        this.rollupQueries = new RollupQueries(connections, Dialect.POSTGRES);
        months.addAll(listMonths());
    }

    /** Connects, migrates the schema when asked, and checks that it is current. */
    public static PostgresStore open(PostgresOptions options) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(options.jdbcUrl());
        config.setUsername(options.user());
        config.setPassword(options.password());
        config.setMaximumPoolSize(options.poolSize());
        config.setConnectionTimeout(5_000);
        // a server that stops answering (a network partition) fails a statement after 5 min instead of hanging it:
        // the writer's commit, and so the senders waiting for it, get an answer
        config.addDataSourceProperty("socketTimeout", "300");
        config.addDataSourceProperty("tcpKeepAlive", "true");
        config.setPoolName("meterbase-postgres");
        config.setInitializationFailTimeout(-1);
        HikariDataSource pool = new HikariDataSource(config);
        try {
            Flyway flyway = Flyway.configure()
                    .dataSource(pool)
                    .locations("classpath:db/migration/postgres")
                    .load();
            if (options.migrate()) {
                flyway.migrate();
            } else if (flyway.info().pending().length > 0) {
                throw new StoreException("the database schema is behind this version: run 'meterbase migrate'");
            }
            PostgresStore store = new PostgresStore(pool);
            LOG.info("PostgreSQL store open at {} ({} months of readings)", options.jdbcUrl(), store.months.size());
            return store;
        } catch (RuntimeException e) {
            pool.close();
            throw e instanceof StoreException se
                    ? se
                    : new StoreException("could not open the PostgreSQL store: " + e.getMessage(), e);
        }
    }

    /** Every node on this database announces its changes (migration V8); this node listens on a connection of its own. */
    @Override
    public AutoCloseable listen(java.util.function.Consumer<io.meterbase.core.store.StoreChanges> listener) {
        return new PgChangeFeed(pool.getJdbcUrl(), pool.getUsername(), pool.getPassword(), listener).start();
    }

    @Override
    public boolean shared() {
        return true;
    }

    /** The nodes listening to this database's changes (each node's change feed names its connection). */
    @Override
    public int nodes() {
        return connections.with("count the nodes", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pg_stat_activity"
                    + " WHERE application_name = ? AND datname = current_database()")) {
                ps.setString(1, PgChangeFeed.APPLICATION);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return Math.max(1, rs.getInt(1));
                }
            }
        });
    }

    /** Connection properties of the node's own long-lived connections (change feed, leases). */
    static java.util.Properties ownConnection(String user, String password, String application) {
        java.util.Properties p = new java.util.Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        p.setProperty("ApplicationName", application);
        // a server that stops answering (a failover, a partition) fails a statement within 30 s instead of hanging
        // the node's periodic work on it
        p.setProperty("socketTimeout", "30");
        p.setProperty("tcpKeepAlive", "true");
        p.setProperty("connectTimeout", "5");
        return p;
    }

    @Override
    public synchronized Leases leases() {
        PgLeases l = leases;
        if (l == null) {
            l = new PgLeases(pool.getJdbcUrl(), pool.getUsername(), pool.getPassword());
            leases = l;
        }
        return l;
    }

    @Override
    public synchronized io.meterbase.core.store.SharedAllowances allowances() {
        PgAllowances a = allowances;
        if (a == null) {
            a = new PgAllowances(connections);
            allowances = a;
        }
        return a;
    }

    /** Analyst roles and views on this store's database. */
    public PostgresAnalysts analysts() {
        return new PostgresAnalysts(connections);
    }

    /** Applies pending migrations and returns how many ran. */
    public static int migrate(PostgresOptions options) {
        try (HikariDataSource pool = new HikariDataSource(hikari(options))) {
            return Flyway.configure()
                    .dataSource(pool)
                    .locations("classpath:db/migration/postgres")
                    .load()
                    .migrate()
                    .migrationsExecuted;
        }
    }

    private static HikariConfig hikari(PostgresOptions options) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(options.jdbcUrl());
        config.setUsername(options.user());
        config.setPassword(options.password());
        config.setMaximumPoolSize(2);
        return config;
    }

    static final String RAW = "readings_raw";
    static final String PACKED = "readings_packed";

    /** The month's table of {@code parent} (readings_raw or readings_packed). */
    static String table(String parent, YearMonth m) {
        return String.format("%s_%04d_%02d", parent, m.getYear(), m.getMonthValue());
    }

    /** The view of a month's readings, raw and packed, that analysts read. */
    static String partition(YearMonth m) {
        return String.format("readings_%04d_%02d", m.getYear(), m.getMonthValue());
    }

    /** PostgreSQL's timestamp range, in epoch milliseconds; callers may pass any long as an open bound. */
    private static final long MIN_MILLIS =
            Instant.parse("-4712-01-01T00:00:00Z").toEpochMilli();

    private static final long MAX_MILLIS =
            Instant.parse("+294275-12-31T00:00:00Z").toEpochMilli();

    private static OffsetDateTime at(long millis) {
        long clamped = Math.max(MIN_MILLIS, Math.min(MAX_MILLIS, millis));
        return Instant.ofEpochMilli(clamped).atOffset(ZoneOffset.UTC);
    }

    private static long millis(ResultSet rs, int column) throws SQLException {
        return rs.getObject(column, OffsetDateTime.class).toInstant().toEpochMilli();
    }

    private static Reading reading(ResultSet rs) throws SQLException {
        return new Reading(rs.getInt(1), millis(rs, 2), rs.getDouble(3), Quality.ofCode(rs.getInt(4)));
    }

    // ---- writes

    @Override
    public void append(WriteBatch batch) {
        appendNew(batch);
    }

    /**
     * Writes the batch in one transaction: the readings by binary COPY; when another node stored some of them
     * already (the unique (channel, ts) index refuses the COPY), the transaction is done again with the readings
     * inserted one by one, those stored already left out, and their keys returned.
     */
    @Override
    public Set<ReadingKey> appendNew(WriteBatch batch) {
        if (batch.isEmpty()) {
            return Set.of();
        }
        Set<YearMonth> needed = new TreeSet<>();
        for (Reading r : batch.readings()) {
            needed.add(YearMonth.from(Instant.ofEpochMilli(r.timestamp()).atOffset(ZoneOffset.UTC)));
        }
        needed.forEach(this::ensureMonth);
        String what = "write a batch of " + batch.readings().size() + " readings";
        try {
            return connections.with(
                    what,
                    c -> Dialect.POSTGRES.inTransaction(c, tx -> {
                        Late late = late(tx, batch.readings());
                        if (!late.fresh().isEmpty()) {
                            copyReadings(tx, late.fresh());
                        }
                        insertQuarantine(tx, batch.rejected());
                        insertStale(tx, batch.staleHours());
                        return late.held();
                    }));
        } catch (StoreException e) {
            if (!(e.getCause() instanceof SQLException se) || !UNIQUE_VIOLATION.equals(se.getSQLState())) {
                throw e;
            }
        }
        return connections.with(
                what,
                c -> Dialect.POSTGRES.inTransaction(c, tx -> {
                    Late late = late(tx, batch.readings());
                    Set<ReadingKey> stored = insertReadingsNotStored(tx, late.fresh());
                    stored.addAll(late.held());
                    insertQuarantine(tx, batch.rejected());
                    insertStale(tx, batch.staleHours());
                    return stored;
                }));
    }

    /**
     * How long after a UTC day's end a writer treats its readings as late: they may meet a compaction of their day,
     * which waits at least an hour after the day's end (see {@link PgCompaction}). Both take the time from the
     * database, so nodes' clocks do not matter; the margin covers a writer's transaction that began half an hour
     * before the compaction.
     */
    static final long LATE_MARGIN_MILLIS = 30 * 60_000L;

    /** The readings of a batch to write, and the keys of those the packed history holds already. */
    private record Late(List<Reading> fresh, Set<ReadingKey> held) {}

    /**
     * Readings of closed days meet the compaction under the day's lock, shared among writers, exclusive for the
     * compaction: those the packed history holds already are left out (a re-sent old reading is not stored twice),
     * and the day is marked for the compaction to pack the rest.
     */
    private static Late late(Connection tx, List<Reading> readings) throws SQLException {
        long now;
        try (Statement s = tx.createStatement();
                // the database's time; and no statement of this transaction runs longer than 5 min, so that it ends
                // well within the half hour by which a compaction may follow it
                ResultSet rs = s.executeQuery("SELECT (extract(epoch FROM now()) * 1000)::bigint,"
                        + " set_config('statement_timeout', '300s', true)")) {
            rs.next();
            now = rs.getLong(1);
        }
        long closedBefore = PackedDay.dayOf(now - LATE_MARGIN_MILLIS);
        TreeSet<Long> days = new TreeSet<>();
        List<Reading> old = new ArrayList<>();
        for (Reading r : readings) {
            if (r.timestamp() < closedBefore) {
                days.add(PackedDay.dayOf(r.timestamp()));
                old.add(r);
            }
        }
        if (days.isEmpty()) {
            return new Late(readings, new HashSet<>());
        }
        Integer[] dayNumbers = days.stream().map(d -> (int) (d / PackedDay.DAY)).toArray(Integer[]::new);
        try (PreparedStatement ps = tx.prepareStatement("SELECT pg_advisory_xact_lock_shared(" + PgCompaction.DAY_LOCK
                + ", d) FROM unnest(?::int[]) AS d ORDER BY d")) {
            ps.setArray(1, tx.createArrayOf("int4", dayNumbers));
            ps.executeQuery().close();
        }
        OffsetDateTime[] starts = days.stream().map(PostgresStore::at).toArray(OffsetDateTime[]::new);
        // a new number each time, drawn once the row is locked (so never below one a compaction has read): a
        // compaction that began before this forgets the day only if it saw these readings
        try (PreparedStatement ps = tx.prepareStatement("INSERT INTO compaction_pending"
                + " SELECT (d AT TIME ZONE 'UTC')::date, nextval('compaction_pending_seq') FROM unnest(?::timestamptz[])"
                + " AS d ON CONFLICT (day) DO UPDATE SET seq = nextval('compaction_pending_seq')")) {
            ps.setArray(1, tx.createArrayOf("timestamptz", starts));
            ps.executeUpdate();
        }
        // first which of these channels have a packed row of these days at all (usually none: a backfill, a
        // straggler), then which of their timestamps are packed
        Set<Integer> channels = new HashSet<>();
        old.forEach(r -> channels.add(r.channelId()));
        Set<Integer> withPacked = new HashSet<>();
        try (PreparedStatement ps = tx.prepareStatement("SELECT DISTINCT channel_id FROM readings_packed"
                + " WHERE period_start = ANY(?::timestamptz[]) AND channel_id = ANY(?)")) {
            ps.setArray(1, tx.createArrayOf("timestamptz", starts));
            ps.setArray(2, intArray(tx, channels));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    withPacked.add(rs.getInt(1));
                }
            }
        }
        Set<ReadingKey> packed = new HashSet<>();
        List<Reading> candidates =
                old.stream().filter(r -> withPacked.contains(r.channelId())).toList();
        if (!candidates.isEmpty()) {
            Integer[] ids = new Integer[candidates.size()];
            Long[] times = new Long[candidates.size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = candidates.get(i).channelId();
                times[i] = candidates.get(i).timestamp();
            }
            try (PreparedStatement ps = tx.prepareStatement("SELECT p.channel_id, u.ts FROM readings_packed p"
                    + " CROSS JOIN LATERAL " + UNPACK + " u"
                    + " WHERE p.period_start = ANY(?::timestamptz[]) AND p.channel_id = ANY(?)"
                    + " AND (p.channel_id, u.ts) IN (SELECT c, timestamptz 'epoch' + t * interval '1 millisecond'"
                    + " FROM unnest(?::int[], ?::bigint[]) AS k(c, t))")) {
                ps.setArray(1, tx.createArrayOf("timestamptz", starts));
                ps.setArray(2, intArray(tx, withPacked));
                ps.setArray(3, tx.createArrayOf("int4", ids));
                ps.setArray(4, tx.createArrayOf("int8", times));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        packed.add(new ReadingKey(rs.getInt(1), millis(rs, 2)));
                    }
                }
            }
        }
        if (packed.isEmpty()) {
            return new Late(readings, new HashSet<>());
        }
        List<Reading> fresh = new ArrayList<>(readings.size());
        Set<ReadingKey> held = new HashSet<>();
        for (Reading r : readings) {
            ReadingKey key = new ReadingKey(r.channelId(), r.timestamp());
            if (packed.contains(key)) {
                held.add(key);
            } else {
                fresh.add(r);
            }
        }
        return new Late(fresh, held);
    }

    /** The readings of the packed row {@code p}, as (ts, value, quality), oldest first (migration V12). */
    static final String UNPACK =
            "meterbase_unpack(p.period_start, p.deltas, p.small, p.scaled, p.divisor, p.raw, p.qualities, p.quality,"
                    + " p.first_ms, p.step_ms)";

    private static final String UNIQUE_VIOLATION = "23505";

    private static void copyReadings(Connection c, List<Reading> readings) throws SQLException {
        try {
            c.unwrap(PGConnection.class)
                    .getCopyAPI()
                    .copyIn(
                            "COPY readings_raw (ts, value, channel_id, quality) FROM STDIN (FORMAT binary)",
                            new ByteArrayInputStream(BinaryCopy.encode(readings)));
        } catch (IOException e) {
            throw new SQLException(e.getMessage(), e);
        }
    }

    /** Inserts the readings the store does not hold yet; returns the keys of those it held. */
    private static Set<ReadingKey> insertReadingsNotStored(Connection c, List<Reading> readings) throws SQLException {
        int n = readings.size();
        if (n == 0) {
            return new HashSet<>();
        }
        Long[] ts = new Long[n];
        Double[] value = new Double[n];
        Integer[] channel = new Integer[n];
        Short[] quality = new Short[n];
        Set<ReadingKey> held = new HashSet<>();
        for (int i = 0; i < n; i++) {
            Reading r = readings.get(i);
            ts[i] = r.timestamp();
            value[i] = r.value();
            channel[i] = r.channelId();
            quality[i] = (short) r.quality().ordinal();
            held.add(new ReadingKey(r.channelId(), r.timestamp()));
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO readings_raw (ts, value, channel_id, quality)"
                + " SELECT timestamptz 'epoch' + t * interval '1 millisecond', v, ch, q"
                + " FROM unnest(?::bigint[], ?::float8[], ?::int[], ?::int2[]) AS u(t, v, ch, q)"
                + " ON CONFLICT (channel_id, ts) DO NOTHING RETURNING channel_id, ts")) {
            ps.setArray(1, c.createArrayOf("int8", ts));
            ps.setArray(2, c.createArrayOf("float8", value));
            ps.setArray(3, c.createArrayOf("int4", channel));
            ps.setArray(4, c.createArrayOf("int2", quality));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    held.remove(new ReadingKey(rs.getInt(1), millis(rs, 2)));
                }
            }
        }
        return held;
    }

    private static void insertQuarantine(Connection c, List<QuarantineEntry> entries) throws SQLException {
        if (entries.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO quarantine VALUES (?, ?, ?, ?, ?, ?)")) {
            for (QuarantineEntry e : entries) {
                ps.setObject(1, e.receivedAt().atOffset(ZoneOffset.UTC));
                ps.setString(2, e.source());
                ps.setLong(3, e.customerId());
                ps.setString(4, e.reason());
                ps.setString(5, e.detail());
                ps.setString(6, e.payload() == null ? null : e.payload().replace("\0", ""));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static void insertStale(Connection c, List<ReadingKey> hours) throws SQLException {
        if (hours.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO stale_hours VALUES (?, ?)")) {
            for (ReadingKey k : hours) {
                ps.setInt(1, k.channelId());
                ps.setObject(2, at(k.timestamp()));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    @Override
    public void ensureMonth(YearMonth m) {
        if (months.contains(m)) {
            return;
        }
        connections.with(
                "create the partition of " + m,
                c -> Dialect.POSTGRES.inTransaction(c, tx -> {
                    try (Statement s = tx.createStatement()) {
                        // nodes sharing the database create a month one at a time; the second finds it made
                        s.execute("SELECT pg_advisory_xact_lock(" + PARTITION_LOCK + ")");
                        try (ResultSet rs = s.executeQuery("SELECT to_regclass('" + table(RAW, m)
                                + "') IS NULL OR to_regclass('" + partition(m) + "') IS NULL")) {
                            rs.next();
                            if (!rs.getBoolean(1)) {
                                return null;
                            }
                        }
                        // the month's raw and packed tables, their row-level security for analysts, and the view
                        // readings_<yyyy>_<mm> of both (migration V12)
                        s.execute("SELECT meterbase_create_month('" + m.atDay(1) + "')");
                    }
                    return null;
                }));
        months.add(m);
    }

    @Override
    public void dropMonth(YearMonth month) {
        connections.with("drop " + month, c -> {
            try (Statement s = c.createStatement()) {
                // the month's view first (with the analysts' wide views of that month), then its tables
                s.execute("DROP VIEW IF EXISTS " + partition(month) + " CASCADE");
                s.execute("DROP TABLE IF EXISTS " + table(RAW, month));
                s.execute("DROP TABLE IF EXISTS " + table(PACKED, month));
            }
            return null;
        });
        months.remove(month);
        LOG.info("Dropped the readings of {}", month);
    }

    @Override
    public List<YearMonth> months() {
        return new ArrayList<>(months);
    }

    private List<YearMonth> listMonths() {
        return connections.with("list partitions", c -> {
            List<YearMonth> out = new ArrayList<>();
            try (ResultSet rs = c.createStatement()
                    .executeQuery("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                            + " WHERE i.inhparent = 'readings_raw'::regclass ORDER BY 1")) {
                while (rs.next()) {
                    String name = rs.getString(1);
                    if (name.matches("readings_raw_\\d{4}_\\d{2}")) {
                        out.add(YearMonth.of(
                                Integer.parseInt(name.substring(13, 17)), Integer.parseInt(name.substring(18, 20))));
                    }
                }
            }
            return out;
        });
    }

    @Override
    public void quarantine(List<QuarantineEntry> entries) {
        connections.with("record rejected inputs", c -> {
            insertQuarantine(c, entries);
            return null;
        });
    }

    @Override
    public long pruneQuarantine(Instant olderThan, long keepAtMost) {
        return connections.with("prune the quarantine", c -> {
            long removed;
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM quarantine WHERE received_at < ?")) {
                ps.setObject(1, olderThan.atOffset(ZoneOffset.UTC));
                removed = ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM quarantine WHERE received_at < (SELECT"
                    + " min(received_at) FROM (SELECT received_at FROM quarantine ORDER BY received_at DESC"
                    + " LIMIT ?) newest)")) {
                ps.setLong(1, keepAtMost);
                removed += ps.executeUpdate();
            }
            return removed;
        });
    }

    @Override
    public void upsertHourly(Collection<Rollup> rollups) {
        writeHourly(rollups, 0, null, "version = rollup_hourly.version + 1", "");
    }

    @Override
    public Set<ReadingKey> upsertHourlyOf(long writer, Collection<Rollup> rollups) {
        return writeHourly(
                rollups,
                writer,
                null,
                "version = rollup_hourly.version + 1",
                " WHERE rollup_hourly.writer = EXCLUDED.writer");
    }

    @Override
    public Map<Long, Long> hourlyVersions(int channelId, long from, long to) {
        return connections.with("read rollup versions", c -> {
            Map<Long, Long> out = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT start, version FROM rollup_hourly"
                    + " WHERE channel_id = ? AND start >= ? AND start < ?")) {
                ps.setInt(1, channelId);
                ps.setObject(2, at(from));
                ps.setObject(3, at(to));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.put(millis(rs, 1), rs.getLong(2));
                    }
                }
            }
            return out;
        });
    }

    @Override
    public Set<ReadingKey> replaceHourly(long writer, Collection<Rollup> rollups, Map<ReadingKey, Long> seen) {
        return writeHourly(
                rollups,
                writer,
                seen,
                "version = EXCLUDED.version",
                " WHERE rollup_hourly.version = EXCLUDED.version - 1");
    }

    /**
     * Writes hourly rollups in (channel, start) order (two nodes writing the same hours take their row locks in
     * the same order) and returns the hours the condition left alone. New rows get version 1, or the version seen
     * plus one; {@code seen} null: every row is written as version 1 or its version plus one.
     */
    private Set<ReadingKey> writeHourly(
            Collection<Rollup> rollups,
            long writer,
            @Nullable Map<ReadingKey, Long> seen,
            String version,
            String condition) {
        if (rollups.isEmpty()) {
            return Set.of();
        }
        List<Rollup> sorted = new ArrayList<>(rollups);
        sorted.sort(java.util.Comparator.comparingInt(Rollup::channelId).thenComparingLong(Rollup::start));
        return connections.with("write hourly rollups", c -> {
            int n = sorted.size();
            Integer[] ch = new Integer[n];
            Long[] start = new Long[n];
            Long[] count = new Long[n];
            Double[] sum = new Double[n];
            @Nullable Double[] min = new Double[n];
            @Nullable Double[] max = new Double[n];
            @Nullable Double[] energy = new Double[n];
            Double[] estimated = new Double[n];
            Long[] gap = new Long[n];
            Double[] out = new Double[n];
            Long[] versions = new Long[n];
            Set<ReadingKey> left = new HashSet<>();
            for (int i = 0; i < n; i++) {
                Rollup r = sorted.get(i);
                ch[i] = r.channelId();
                start[i] = r.start();
                count[i] = r.count();
                sum[i] = r.sum();
                min[i] = Double.isNaN(r.min()) ? null : r.min();
                max[i] = Double.isNaN(r.max()) ? null : r.max();
                energy[i] = r.hasEnergy() ? r.energy() : null;
                estimated[i] = r.estimated();
                gap[i] = r.gapMillis();
                out[i] = Double.isNaN(r.energyOut()) ? 0 : r.energyOut();
                ReadingKey key = new ReadingKey(r.channelId(), r.start());
                versions[i] = seen == null ? 1 : seen.getOrDefault(key, 0L) + 1;
                left.add(key);
            }
            String sql = "INSERT INTO rollup_hourly (channel_id, start, count, sum, min, max, energy, estimated,"
                    + " gap_ms, writer, version, energy_out) SELECT ch, timestamptz 'epoch' + s * interval '1"
                    + " millisecond', n, su, mi, ma, e, es, g, ?, v, o FROM unnest(?::int[], ?::bigint[],"
                    + " ?::bigint[], ?::float8[], ?::float8[], ?::float8[], ?::float8[], ?::float8[], ?::bigint[],"
                    + " ?::bigint[], ?::float8[]) AS t(ch, s, n, su, mi, ma, e, es, g, v, o)"
                    + " ON CONFLICT (channel_id, start) DO UPDATE SET count = EXCLUDED.count, sum = EXCLUDED.sum,"
                    + " min = EXCLUDED.min, max = EXCLUDED.max, energy = EXCLUDED.energy,"
                    + " estimated = EXCLUDED.estimated, gap_ms = EXCLUDED.gap_ms, energy_out = EXCLUDED.energy_out,"
                    + " writer = EXCLUDED.writer, "
                    + version + condition + " RETURNING channel_id, start";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setLong(1, writer);
                ps.setArray(2, c.createArrayOf("int4", ch));
                ps.setArray(3, c.createArrayOf("int8", start));
                ps.setArray(4, c.createArrayOf("int8", count));
                ps.setArray(5, c.createArrayOf("float8", sum));
                ps.setArray(6, c.createArrayOf("float8", min));
                ps.setArray(7, c.createArrayOf("float8", max));
                ps.setArray(8, c.createArrayOf("float8", energy));
                ps.setArray(9, c.createArrayOf("float8", estimated));
                ps.setArray(10, c.createArrayOf("int8", gap));
                ps.setArray(11, c.createArrayOf("int8", versions));
                ps.setArray(12, c.createArrayOf("float8", out));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        left.remove(new ReadingKey(rs.getInt(1), millis(rs, 2)));
                    }
                }
            }
            return left;
        });
    }

    /**
     * Rebuilds the days from their hours. Each day is locked first (a transaction-level advisory lock on (channel,
     * day), taken in order), so that the sums are read after any other node's rebuild of the same day committed:
     * a rebuild that read the hours before another node's hour was written cannot replace a newer day.
     */
    @Override
    public void rebuildDaily(Collection<DayKey> days) {
        if (days.isEmpty()) {
            return;
        }
        List<DayKey> sorted = new ArrayList<>(days);
        sorted.sort(java.util.Comparator.comparingInt(DayKey::channelId).thenComparingLong(DayKey::start));
        connections.with(
                "rebuild daily rollups",
                c -> Dialect.POSTGRES.inTransaction(c, tx -> {
                    Integer[] ch = sorted.stream().map(DayKey::channelId).toArray(Integer[]::new);
                    Long[] start = sorted.stream().map(DayKey::start).toArray(Long[]::new);
                    Long[] end = sorted.stream().map(DayKey::end).toArray(Long[]::new);
                    Integer[] day = sorted.stream()
                            .map(d -> (int) Math.floorDiv(d.start(), 86_400_000L))
                            .toArray(Integer[]::new);
                    try (PreparedStatement lock = tx.prepareStatement("SELECT pg_advisory_xact_lock(ch, d)"
                            + " FROM unnest(?::int[], ?::int[]) WITH ORDINALITY AS t(ch, d, i) ORDER BY i")) {
                        lock.setArray(1, tx.createArrayOf("int4", ch));
                        lock.setArray(2, tx.createArrayOf("int4", day));
                        try (ResultSet rs = lock.executeQuery()) {
                            while (rs.next()) {
                                // each row is one lock taken
                            }
                        }
                    }
                    String sql = "INSERT INTO rollup_daily (channel_id, start, count, sum, min, max, energy,"
                            + " estimated, gap_ms, energy_out) SELECT d.ch, d.s, sum(h.count), sum(h.sum), min(h.min),"
                            + " max(h.max), sum(h.energy), sum(h.estimated), sum(h.gap_ms), sum(h.energy_out)"
                            + " FROM (SELECT ch, timestamptz 'epoch' + s * interval '1 millisecond'"
                            + " AS s, timestamptz 'epoch' + f * interval '1 millisecond' AS f FROM unnest(?::int[],"
                            + " ?::bigint[], ?::bigint[]) AS t(ch, s, f)) d JOIN rollup_hourly h ON h.channel_id = d.ch"
                            + " AND h.start >= d.s AND h.start < d.f GROUP BY d.ch, d.s"
                            + " ON CONFLICT (channel_id, start) DO UPDATE SET count = EXCLUDED.count, sum = EXCLUDED.sum,"
                            + " min = EXCLUDED.min, max = EXCLUDED.max, energy = EXCLUDED.energy,"
                            + " estimated = EXCLUDED.estimated, gap_ms = EXCLUDED.gap_ms,"
                            + " energy_out = EXCLUDED.energy_out";
                    try (PreparedStatement ps = tx.prepareStatement(sql)) {
                        ps.setArray(1, tx.createArrayOf("int4", ch));
                        ps.setArray(2, tx.createArrayOf("int8", start));
                        ps.setArray(3, tx.createArrayOf("int8", end));
                        ps.executeUpdate();
                    }
                    return null;
                }));
    }

    @Override
    public void clearStaleHours(Collection<ReadingKey> hours) {
        if (hours.isEmpty()) {
            return;
        }
        connections.with("clear stale hours", c -> {
            try (PreparedStatement ps =
                    c.prepareStatement("DELETE FROM stale_hours WHERE channel_id = ? AND hour = ?")) {
                for (ReadingKey k : hours) {
                    ps.setInt(1, k.channelId());
                    ps.setObject(2, at(k.timestamp()));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    // ---- reads: every read sees one history, the raw readings and the packed days (migration V12)

    /**
     * The readings of {@code channels} in {@code [from, to)}, raw and packed; parameters: {@link #rangeParams}.
     * Only the packed days that overlap the range are unpacked.
     */
    private static final String BETWEEN = "SELECT channel_id, ts, value, quality FROM readings_raw"
            + " WHERE channel_id = ANY(?) AND ts >= ? AND ts < ?"
            + " UNION ALL SELECT p.channel_id, u.ts, u.value, u.quality FROM readings_packed p CROSS JOIN LATERAL "
            + UNPACK + " u WHERE p.channel_id = ANY(?) AND p.period_start > ? AND p.period_start < ?"
            + " AND u.ts >= ? AND u.ts < ?";

    private static Object[] rangeParams(Connection c, Collection<Integer> channels, long from, long to)
            throws SQLException {
        Array ids = intArray(c, channels);
        long dayBefore = from < MIN_MILLIS + PackedDay.DAY ? MIN_MILLIS : from - PackedDay.DAY;
        return new Object[] {ids, at(from), at(to), ids, at(dayBefore), at(to), at(from), at(to)};
    }

    private static PreparedStatement prepare(Connection c, String sql, Object... params) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        for (int i = 0; i < params.length; i++) {
            ps.setObject(i + 1, params[i]);
        }
        return ps;
    }

    @Override
    public Set<ReadingKey> existing(Collection<Integer> channels, long from, long to) {
        if (channels.isEmpty()) {
            return Set.of();
        }
        return connections.with("look up stored readings", c -> {
            Set<ReadingKey> out = new HashSet<>();
            long end = to == Long.MAX_VALUE ? to : to + 1;
            try (PreparedStatement ps =
                    prepare(c, "SELECT channel_id, ts FROM (" + BETWEEN + ") r", rangeParams(c, channels, from, end))) {
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new ReadingKey(rs.getInt(1), millis(rs, 2)));
                    }
                }
            }
            return out;
        });
    }

    private static Array intArray(Connection c, Collection<Integer> ids) throws SQLException {
        return c.createArrayOf("int4", ids.toArray(Integer[]::new));
    }

    /** Newest raw reading per channel by a loose index scan: one index descent per channel, not a full scan. */
    private static final String NEWEST = "WITH RECURSIVE ch AS ("
            + " SELECT min(channel_id) AS id FROM readings_raw"
            + " UNION ALL SELECT (SELECT min(channel_id) FROM readings_raw WHERE channel_id > ch.id) FROM ch"
            + " WHERE ch.id IS NOT NULL)"
            + " SELECT ch.id, r.ts, r.value, r.quality FROM ch CROSS JOIN LATERAL (SELECT ts, value, quality"
            + " FROM readings_raw WHERE channel_id = ch.id ORDER BY ts DESC LIMIT 1) r WHERE ch.id IS NOT NULL";

    /** The last reading of a packed row {@code p}, without unpacking it. */
    private static final String LAST_PACKED = "p.channel_id,"
            + " p.period_start + (CASE WHEN p.deltas IS NULL THEN p.first_ms + (p.n - 1) * p.step_ms::bigint"
            + " ELSE (SELECT sum(d) FROM unnest(p.deltas) AS d) END) * interval '1 millisecond',"
            + " coalesce(coalesce(p.small[p.n]::float8, p.scaled[p.n]::float8) / p.divisor, p.raw[p.n]),"
            + " coalesce(p.qualities[p.n], p.quality)";

    /** Newest packed reading per channel: the last of each channel's newest packed day. */
    private static final String NEWEST_PACKED = "WITH RECURSIVE ch AS ("
            + " SELECT min(channel_id) AS id FROM readings_packed"
            + " UNION ALL SELECT (SELECT min(channel_id) FROM readings_packed WHERE channel_id > ch.id) FROM ch"
            + " WHERE ch.id IS NOT NULL)"
            + " SELECT " + LAST_PACKED + " FROM ch CROSS JOIN LATERAL (SELECT * FROM readings_packed"
            + " WHERE channel_id = ch.id ORDER BY period_start DESC LIMIT 1) p WHERE ch.id IS NOT NULL";

    @Override
    public Map<Integer, Long> newestTimestamps() {
        Map<Integer, Long> out = new HashMap<>();
        for (Reading r : newestReadings()) {
            out.put(r.channelId(), r.timestamp());
        }
        return out;
    }

    @Override
    public List<Reading> newestReadings() {
        return connections.with("read the newest readings", c -> {
            Map<Integer, Reading> newest = new HashMap<>();
            for (String sql : List.of(NEWEST, NEWEST_PACKED)) {
                try (ResultSet rs = c.createStatement().executeQuery(sql)) {
                    while (rs.next()) {
                        newer(newest, reading(rs));
                    }
                }
            }
            return new ArrayList<>(newest.values());
        });
    }

    private static void newer(Map<Integer, Reading> newest, Reading r) {
        newest.merge(r.channelId(), r, (a, b) -> a.timestamp() >= b.timestamp() ? a : b);
    }

    /** One scan of the recent readings (the BRIN index on ts finds them), newest per channel. */
    @Override
    public List<Reading> newestReadingsSince(long from) {
        Map<Integer, Reading> newest = new HashMap<>();
        long dayBefore = from < MIN_MILLIS + PackedDay.DAY ? MIN_MILLIS : from - PackedDay.DAY;
        for (Reading r : query(
                "SELECT DISTINCT ON (channel_id) channel_id, ts, value, quality FROM readings_raw WHERE ts >= ?"
                        + " ORDER BY channel_id, ts DESC",
                at(from))) {
            newer(newest, r);
        }
        for (Reading r : query(
                "SELECT * FROM (SELECT DISTINCT ON (p.channel_id) " + LAST_PACKED + " FROM readings_packed p"
                        + " WHERE p.period_start > ? ORDER BY p.channel_id, p.period_start DESC) r(c, ts, v, q)"
                        + " WHERE ts >= ?",
                at(dayBefore),
                at(from))) {
            newer(newest, r);
        }
        return new ArrayList<>(newest.values());
    }

    @Override
    public List<Reading> readings(int channelId, long from, long to, int limit) {
        return connections.with(
                "read readings",
                c -> collect(prepare(
                        c,
                        "SELECT * FROM (" + BETWEEN + ") r ORDER BY ts LIMIT " + limit,
                        rangeParams(c, List.of(channelId), from, to))));
    }

    @Override
    public Optional<Reading> readingBefore(int channelId, long timestamp) {
        // the newest packed day that starts before the timestamp may hold only later readings: then the one before
        return query(
                        "SELECT * FROM ((SELECT channel_id, ts, value, quality FROM readings_raw"
                                + " WHERE channel_id = ? AND ts < ? ORDER BY ts DESC LIMIT 1)"
                                + " UNION ALL (SELECT p.channel_id, u.ts, u.value, u.quality FROM (SELECT *"
                                + " FROM readings_packed WHERE channel_id = ? AND period_start < ?"
                                + " ORDER BY period_start DESC LIMIT 2) p CROSS JOIN LATERAL " + UNPACK + " u"
                                + " WHERE u.ts < ?)) r ORDER BY ts DESC LIMIT 1",
                        channelId,
                        at(timestamp),
                        channelId,
                        at(timestamp),
                        at(timestamp))
                .stream()
                .findFirst();
    }

    @Override
    public Optional<Reading> readingAfter(int channelId, long timestamp) {
        long dayBefore = timestamp < MIN_MILLIS + PackedDay.DAY ? MIN_MILLIS : timestamp - PackedDay.DAY;
        return query(
                        "SELECT * FROM ((SELECT channel_id, ts, value, quality FROM readings_raw"
                                + " WHERE channel_id = ? AND ts > ? ORDER BY ts LIMIT 1)"
                                + " UNION ALL (SELECT p.channel_id, u.ts, u.value, u.quality FROM (SELECT *"
                                + " FROM readings_packed WHERE channel_id = ? AND period_start > ?"
                                + " ORDER BY period_start LIMIT 2) p CROSS JOIN LATERAL " + UNPACK + " u"
                                + " WHERE u.ts > ?)) r ORDER BY ts LIMIT 1",
                        channelId,
                        at(timestamp),
                        channelId,
                        at(dayBefore),
                        at(timestamp))
                .stream()
                .findFirst();
    }

    private List<Reading> query(String sql, Object... params) {
        return connections.with("read readings", c -> collect(prepare(c, sql, params)));
    }

    private static List<Reading> collect(PreparedStatement statement) throws SQLException {
        try (PreparedStatement ps = statement;
                ResultSet rs = ps.executeQuery()) {
            List<Reading> out = new ArrayList<>();
            while (rs.next()) {
                out.add(reading(rs));
            }
            return out;
        }
    }

    @Override
    public List<Rollup> hourly(Collection<Integer> channels, long from, long to) {
        return rollupQueries.rollups(RollupQueries.HOURLY, channels, from, to);
    }

    @Override
    public List<Rollup> daily(Collection<Integer> channels, long from, long to) {
        return rollupQueries.rollups(RollupQueries.DAILY, channels, from, to);
    }

    @Override
    public List<Bucket> bucketsFromReadings(int channelId, long from, long to, long width) {
        String b = Dialect.POSTGRES.bucketOf("ts", width);
        return connections.with("read a downsampled series", c -> {
            List<Bucket> out = new ArrayList<>();
            try (PreparedStatement ps = prepare(
                            c,
                            "SELECT " + b + " AS b, avg(value), min(value), max(value), count(*) FROM (" + BETWEEN
                                    + ") r GROUP BY b ORDER BY b",
                            rangeParams(c, List.of(channelId), from, to));
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Bucket(
                            rs.getLong(1), rs.getDouble(2), rs.getDouble(3), rs.getDouble(4), rs.getLong(5)));
                }
            }
            return out;
        });
    }

    @Override
    public List<Bucket> bucketsFromHourly(int channelId, long from, long to, long width) {
        return rollupQueries.buckets(RollupQueries.HOURLY, channelId, from, to, width);
    }

    @Override
    public List<Bucket> bucketsFromDaily(int channelId, long from, long to, long width) {
        return rollupQueries.buckets(RollupQueries.DAILY, channelId, from, to, width);
    }

    @Override
    public long exportCsv(Collection<Integer> channels, long from, long to, Writer out) throws IOException {
        if (channels.isEmpty()) {
            return 0;
        }
        try {
            return connections.with("export readings", c -> {
                long n = 0;
                c.setAutoCommit(false); // lets the driver stream with a fetch size
                try (PreparedStatement ps = prepare(
                        c,
                        "SELECT * FROM (" + BETWEEN + ") r ORDER BY ts, channel_id",
                        rangeParams(c, channels, from, to))) {
                    ps.setFetchSize(10_000);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            out.write(CsvExport.line(
                                    rs.getInt(1), millis(rs, 2), rs.getDouble(3), Quality.ofCode(rs.getInt(4))));
                            n++;
                        }
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } finally {
                    c.commit();
                    c.setAutoCommit(true);
                }
                return n;
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    @Override
    public Map<Integer, Long> newestHourly() {
        return rollupQueries.newestHourly();
    }

    @Override
    public long deleteRollupsFrom(long from) {
        return connections.with(
                "delete rollups",
                c -> Dialect.POSTGRES.inTransaction(c, tx -> {
                    try (PreparedStatement hours =
                                    tx.prepareStatement("DELETE FROM rollup_hourly WHERE start >= " + TS_OF_MS);
                            PreparedStatement days =
                                    tx.prepareStatement("DELETE FROM rollup_daily WHERE start >= " + TS_OF_MS)) {
                        hours.setLong(1, from);
                        long removed = hours.executeUpdate();
                        days.setLong(1, from);
                        days.executeUpdate();
                        return removed;
                    }
                }));
    }

    @Override
    public List<ReadingKey> staleHours() {
        return rollupQueries.staleHours();
    }

    @Override
    public List<QuarantineEntry> quarantined(@Nullable String reason, int limit) {
        return rollupQueries.quarantined(reason, limit);
    }

    @Override
    public long quarantineSize() {
        return rollupQueries.quarantineSize();
    }

    @Override
    public StorageStats stats() {
        return connections.with("measure the store", c -> {
            try (ResultSet rs = c.createStatement()
                    .executeQuery("SELECT (SELECT count(*) FROM readings_raw)"
                            + " + (SELECT coalesce(sum(n), 0) FROM readings_packed),"
                            + " (SELECT coalesce(sum(pg_total_relation_size(inhrelid)), 0) FROM pg_inherits"
                            + " WHERE inhparent IN ('readings_raw'::regclass, 'readings_packed'::regclass))")) {
                rs.next();
                return new StorageStats(rs.getLong(1), rs.getLong(2));
            }
        });
    }

    /** Packs closed days of raw readings (migration V12); see {@link PgCompaction}. */
    @Override
    public Optional<io.meterbase.core.store.Compaction> compaction() {
        return Optional.of(compaction(PgCompaction.DEFAULT_FLUSH));
    }

    /** As {@link #compaction()}, committing every {@code flushReadings} readings or so. */
    io.meterbase.core.store.Compaction compaction(int flushReadings) {
        return new PgCompaction(
                pool,
                () -> months.isEmpty()
                        ? Long.MAX_VALUE
                        : months.iterator()
                                .next()
                                .atDay(1)
                                .atStartOfDay()
                                .toInstant(ZoneOffset.UTC)
                                .toEpochMilli(),
                flushReadings);
    }

    // ---- metadata

    @Override
    public ReadingStore readings() {
        return this;
    }

    @Override
    public MetadataStore metadata() {
        return metadata;
    }

    @Override
    public DocumentStore documents() {
        return metadata;
    }

    @Override
    public void close() {
        PgLeases l;
        synchronized (this) {
            l = leases;
        }
        if (l != null) {
            l.close();
        }
        pool.close();
        LOG.info("PostgreSQL store closed");
    }
}
