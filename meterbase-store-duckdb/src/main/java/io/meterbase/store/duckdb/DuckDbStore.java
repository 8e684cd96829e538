package io.meterbase.store.duckdb;

import io.meterbase.core.model.Reading;
import io.meterbase.core.store.Bucket;
import io.meterbase.core.store.DayKey;
import io.meterbase.core.store.MetadataStore;
import io.meterbase.core.store.QuarantineEntry;
import io.meterbase.core.store.ReadingKey;
import io.meterbase.core.store.Rollup;
import io.meterbase.core.store.StorageStats;
import io.meterbase.core.store.Store;
import io.meterbase.core.store.StoreException;
import io.meterbase.core.store.WriteBatch;
import io.meterbase.store.jdbc.Dialect;
import io.meterbase.store.jdbc.JdbcMetadataStore;
import io.meterbase.store.jdbc.MetadataDelegate;
import io.meterbase.store.jdbc.SingleConnection;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded store: one DuckDB file, readings in one table per month (UTC), hourly and daily rollups, metadata
 * and quarantine. Every write goes through one connection under a lock: readings are staged with DuckDB's
 * appender into a temporary table and moved into their month tables inside one transaction together with the
 * batch's quarantine rows and stale-hour marks, so a batch is kept whole or not at all. Reads use a small pool.
 */
public final class DuckDbStore implements Store, MetadataDelegate {

    private static final Logger LOG = LoggerFactory.getLogger(DuckDbStore.class);

    /** The catalog name the database file is attached under. */
    static final String CATALOG = "meterbase";

    /**
     * Rows per row group: 16 times DuckDB's default. Each column segment of a row group ends in a partly filled
     * 256 KB block; larger row groups make that waste small (measured: 4.46 to 2.88 bytes per reading).
     */
    static final int ROW_GROUP_SIZE = 1_966_080;
    /**
     * Most readings appended straight into a month table: below the appender's own automatic flush (204,800 rows
     * in DuckDB), so that a batch is one transaction.
     */
    static final int DIRECT_APPEND_MAX = 100_000;

    private static final Comparator<Reading> TIME_MAJOR =
            Comparator.comparingLong(Reading::timestamp).thenComparingInt(Reading::channelId);

    private final DuckDbOptions options;
    private final DuckDBConnection writer;
    private final ConnectionPool reads;
    private final SingleConnection metadataConnection;
    private final JdbcMetadataStore metadata;
    private final ReadQueries queries;
    private final NavigableSet<YearMonth> months = new ConcurrentSkipListSet<>();
    private final Object writeLock = new Object();

    private DuckDbStore(DuckDbOptions options, DuckDBConnection writer) throws SQLException {
        this.options = options;
        this.writer = writer;
        try (Statement s = writer.createStatement()) {
            s.execute("SET memory_limit = '" + options.memoryLimit().replace("'", "") + "'");
            s.execute("SET threads = " + options.threads());
            s.execute("SET checkpoint_threshold = '"
                    + options.checkpointThreshold().replace("'", "") + "'");
            for (String ddl : Schema.TABLES) {
                s.execute(ddl);
            }
            for (String ddl : Schema.STAGING) {
                s.execute(ddl);
            }
            try (ResultSet rs = s.executeQuery("SELECT table_name FROM duckdb_tables() WHERE database_name = '"
                    + CATALOG + "' AND schema_name = 'main'")) {
                while (rs.next()) {
                    if (Schema.MONTH_TABLE.matcher(rs.getString(1)).matches()) {
                        months.add(Schema.monthOf(rs.getString(1)));
                    }
                }
            }
        }
        this.reads = new ConnectionPool(writer, options.readConnections());
        this.metadataConnection = new SingleConnection(ConnectionPool.duplicate(writer));
        this.metadata = new JdbcMetadataStore(metadataConnection, reads, Dialect.DUCKDB);
        this.queries = new ReadQueries(reads, months);
    }

    /** Opens (creating if needed) the store in the options' data directory. */
    public static DuckDbStore open(DuckDbOptions options) {
        try {
            Files.createDirectories(options.dataDir());
            Connection c = DriverManager.getConnection("jdbc:duckdb:");
            try (Statement s = c.createStatement()) {
                s.execute("ATTACH '" + options.databaseFile().toString().replace("'", "''") + "' AS " + CATALOG
                        + " (ROW_GROUP_SIZE " + ROW_GROUP_SIZE + ", STORAGE_VERSION 'v1.2.0')");
                s.execute("USE " + CATALOG);
            } catch (SQLException e) {
                c.close();
                throw e;
            }
            DuckDbStore store = new DuckDbStore(options, (DuckDBConnection) c);
            LOG.info("Embedded store open at {} ({} months of readings)", options.databaseFile(), store.months.size());
            return store;
        } catch (IOException | SQLException e) {
            throw new StoreException(
                    "could not open the store at " + options.databaseFile() + ": " + e.getMessage(), e);
        }
    }

    // ---- writes (one connection, one lock)

    @Override
    public void append(WriteBatch batch) {
        if (batch.isEmpty()) {
            return;
        }
        synchronized (writeLock) {
            YearMonth single =
                    batch.rejected().isEmpty() && batch.staleHours().isEmpty() ? singleMonth(batch.readings()) : null;
            if (single != null) {
                appendToMonth(single, batch.readings());
                return;
            }
            try {
                Set<YearMonth> touched = stage(batch.readings());
                writer.setAutoCommit(false);
                try {
                    try (Statement s = writer.createStatement()) {
                        // time-major order within a commit: timestamps compress to runs (see ROW_GROUP_SIZE)
                        for (YearMonth m : touched) {
                            String range = touched.size() == 1
                                    ? ""
                                    : " WHERE ts >= " + monthStart(m) + " AND ts < " + monthStart(m.plusMonths(1));
                            s.execute("INSERT INTO " + Schema.monthTable(m) + " SELECT * FROM stage_readings" + range
                                    + " ORDER BY ts, channel_id");
                        }
                    }
                    insertQuarantine(batch.rejected());
                    insertStale(batch.staleHours());
                    writer.commit();
                } catch (SQLException | RuntimeException e) {
                    writer.rollback();
                    throw e;
                } finally {
                    writer.setAutoCommit(true);
                }
            } catch (SQLException e) {
                throw new StoreException(
                        "could not write a batch of " + batch.readings().size() + " readings: " + e.getMessage(), e);
            } finally {
                clearStage("stage_readings");
            }
        }
    }

    /**
     * The month all the readings belong to, or null when they span several (or there are none, or too many for
     * one appender flush).
     */
    private static YearMonth singleMonth(List<Reading> readings) {
        if (readings.isEmpty() || readings.size() > DIRECT_APPEND_MAX) {
            return null;
        }
        YearMonth m =
                YearMonth.from(Instant.ofEpochMilli(readings.get(0).timestamp()).atOffset(ZoneOffset.UTC));
        long from = monthStart(m);
        long to = monthStart(m.plusMonths(1));
        for (Reading r : readings) {
            if (r.timestamp() < from || r.timestamp() >= to) {
                return null;
            }
        }
        return m;
    }

    /**
     * The common batch (readings of one month, nothing else): straight into the month's table with one appender,
     * whose single flush on close is one transaction. Sorted here as the staged path's {@code ORDER BY} would.
     */
    private void appendToMonth(YearMonth m, List<Reading> readings) {
        ensureMonth(m);
        Reading[] sorted = readings.toArray(Reading[]::new);
        Arrays.sort(sorted, TIME_MAJOR);
        try (DuckDBAppender a = writer.createAppender(CATALOG, "main", Schema.monthTable(m))) {
            for (Reading r : sorted) {
                a.beginRow();
                a.append(r.channelId());
                a.append(r.timestamp());
                a.append(r.value());
                a.append((byte) r.quality().ordinal());
                a.endRow();
            }
        } catch (SQLException e) {
            throw new StoreException(
                    "could not write a batch of " + readings.size() + " readings: " + e.getMessage(), e);
        }
    }

    /** Appends readings to the staging table; returns the months they belong to, creating their tables. */
    private Set<YearMonth> stage(List<Reading> readings) throws SQLException {
        Set<YearMonth> touched = new TreeSet<>();
        if (readings.isEmpty()) {
            return touched;
        }
        long monthFrom = Long.MAX_VALUE;
        long monthTo = Long.MIN_VALUE;
        try (DuckDBAppender a = writer.createAppender("temp", "main", "stage_readings")) {
            for (Reading r : readings) {
                long ts = r.timestamp();
                if (ts < monthFrom || ts >= monthTo) {
                    YearMonth m = YearMonth.from(Instant.ofEpochMilli(ts).atOffset(ZoneOffset.UTC));
                    touched.add(m);
                    monthFrom = monthStart(m);
                    monthTo = monthStart(m.plusMonths(1));
                }
                a.beginRow();
                a.append(r.channelId());
                a.append(ts);
                a.append(r.value());
                a.append((byte) r.quality().ordinal());
                a.endRow();
            }
        }
        for (YearMonth m : touched) {
            ensureMonth(m);
        }
        return touched;
    }

    @Override
    public void ensureMonth(YearMonth m) {
        if (months.contains(m)) {
            return;
        }
        synchronized (writeLock) {
            try (Statement s = writer.createStatement()) {
                s.execute(Schema.createMonth(m));
                months.add(m);
                refreshView(s);
            } catch (SQLException e) {
                throw new StoreException("could not create the table of " + m + ": " + e.getMessage(), e);
            }
        }
    }

    /** The {@code readings} view over all month tables, with real timestamps, for people and SQL tools. */
    private void refreshView(Statement s) throws SQLException {
        if (months.isEmpty()) {
            s.execute("DROP VIEW IF EXISTS readings");
            return;
        }
        StringBuilder sql = new StringBuilder("CREATE OR REPLACE VIEW readings AS ");
        String sep = "";
        for (YearMonth m : months) {
            sql.append(sep)
                    .append("SELECT channel_id, make_timestamp(ts * 1000) AS ts, value, quality FROM ")
                    .append(Schema.monthTable(m));
            sep = " UNION ALL ";
        }
        s.execute(sql.toString());
    }

    static long monthStart(YearMonth m) {
        return m.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli();
    }

    private void insertQuarantine(List<QuarantineEntry> entries) throws SQLException {
        if (entries.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = writer.prepareStatement("INSERT INTO quarantine VALUES (?, ?, ?, ?, ?, ?)")) {
            for (QuarantineEntry e : entries) {
                ps.setLong(1, e.receivedAt().toEpochMilli());
                ps.setString(2, e.source());
                ps.setLong(3, e.customerId());
                ps.setString(4, e.reason());
                ps.setString(5, e.detail());
                ps.setString(6, e.payload());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private void insertStale(List<ReadingKey> hours) throws SQLException {
        if (hours.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = writer.prepareStatement("INSERT INTO stale_hours VALUES (?, ?)")) {
            for (ReadingKey k : hours) {
                ps.setInt(1, k.channelId());
                ps.setLong(2, k.timestamp());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private void clearStage(String table) {
        try (Statement s = writer.createStatement()) {
            s.execute("DELETE FROM " + table);
        } catch (SQLException e) {
            LOG.warn("Could not clear {}: {}", table, e.getMessage());
        }
    }

    @Override
    public void quarantine(List<QuarantineEntry> entries) {
        synchronized (writeLock) {
            try {
                insertQuarantine(entries);
            } catch (SQLException e) {
                throw new StoreException("could not record rejected inputs: " + e.getMessage(), e);
            }
        }
    }

    @Override
    public void upsertHourly(Collection<Rollup> rollups) {
        if (rollups.isEmpty()) {
            return;
        }
        synchronized (writeLock) {
            try {
                try (DuckDBAppender a = writer.createAppender("temp", "main", "stage_rollups")) {
                    for (Rollup r : rollups) {
                        a.beginRow();
                        a.append(r.channelId());
                        a.append(r.start());
                        a.append(r.count());
                        a.append(r.sum());
                        a.append(r.min());
                        a.append(r.max());
                        if (r.hasEnergy()) {
                            a.append(r.energy());
                        } else {
                            a.appendNull();
                        }
                        a.endRow();
                    }
                }
                try (Statement s = writer.createStatement()) {
                    s.execute("INSERT OR REPLACE INTO rollup_hourly SELECT * FROM stage_rollups");
                }
            } catch (SQLException e) {
                throw new StoreException("could not write hourly rollups: " + e.getMessage(), e);
            } finally {
                clearStage("stage_rollups");
            }
        }
    }

    @Override
    public void rebuildDaily(Collection<DayKey> days) {
        if (days.isEmpty()) {
            return;
        }
        synchronized (writeLock) {
            try {
                try (DuckDBAppender a = writer.createAppender("temp", "main", "stage_days")) {
                    for (DayKey d : days) {
                        a.beginRow();
                        a.append(d.channelId());
                        a.append(d.start());
                        a.append(d.end());
                        a.endRow();
                    }
                }
                try (Statement s = writer.createStatement()) {
                    s.execute("INSERT OR REPLACE INTO rollup_daily SELECT d.channel_id, d.start, sum(h.count),"
                            + " sum(h.sum), min(h.min), max(h.max), sum(h.energy) FROM stage_days d"
                            + " JOIN rollup_hourly h ON h.channel_id = d.channel_id AND h.start >= d.start"
                            + " AND h.start < d.finish GROUP BY d.channel_id, d.start");
                }
            } catch (SQLException e) {
                throw new StoreException("could not rebuild daily rollups: " + e.getMessage(), e);
            } finally {
                clearStage("stage_days");
            }
        }
    }

    @Override
    public void clearStaleHours(Collection<ReadingKey> hours) {
        synchronized (writeLock) {
            try (PreparedStatement ps =
                    writer.prepareStatement("DELETE FROM stale_hours WHERE channel_id = ? AND hour = ?")) {
                for (ReadingKey k : hours) {
                    ps.setInt(1, k.channelId());
                    ps.setLong(2, k.timestamp());
                    ps.addBatch();
                }
                ps.executeBatch();
            } catch (SQLException e) {
                throw new StoreException("could not clear stale hours: " + e.getMessage(), e);
            }
        }
    }

    @Override
    public void dropMonth(YearMonth month) {
        synchronized (writeLock) {
            try (Statement s = writer.createStatement()) {
                s.execute("DROP TABLE IF EXISTS " + Schema.monthTable(month));
                months.remove(month);
                refreshView(s);
                LOG.info("Dropped the readings of {}", month);
            } catch (SQLException e) {
                throw new StoreException("could not drop " + month + ": " + e.getMessage(), e);
            }
        }
    }

    /** Writes everything to the database file and empties the write-ahead log. */
    public void checkpoint() {
        synchronized (writeLock) {
            try (Statement s = writer.createStatement()) {
                s.execute("CHECKPOINT");
            } catch (SQLException e) {
                throw new StoreException("could not checkpoint: " + e.getMessage(), e);
            }
        }
    }

    /** DuckDB's own account of its file: block size, used and free blocks, WAL size. */
    public String describeStorage() {
        return reads.with("describe storage", c -> {
            try (ResultSet rs = c.createStatement().executeQuery("PRAGMA database_size")) {
                rs.next();
                return "database_size: block " + rs.getObject("block_size") + " B, total "
                        + rs.getObject("total_blocks")
                        + ", used " + rs.getObject("used_blocks") + ", free " + rs.getObject("free_blocks") + ", wal "
                        + rs.getObject("wal_size");
            }
        });
    }

    // ---- reads

    @Override
    public Set<ReadingKey> existing(Collection<Integer> channels, long from, long to) {
        return queries.existing(channels, from, to);
    }

    @Override
    public Map<Integer, Long> newestTimestamps() {
        return queries.newestTimestamps();
    }

    @Override
    public List<Reading> newestReadings() {
        return queries.newestReadings();
    }

    @Override
    public List<Reading> readings(int channelId, long from, long to, int limit) {
        return queries.readings(channelId, from, to, limit);
    }

    @Override
    public Optional<Reading> readingBefore(int channelId, long timestamp) {
        return queries.neighbour(channelId, timestamp, true);
    }

    @Override
    public Optional<Reading> readingAfter(int channelId, long timestamp) {
        return queries.neighbour(channelId, timestamp, false);
    }

    @Override
    public List<Rollup> hourly(Collection<Integer> channels, long from, long to) {
        return queries.rollups("rollup_hourly", channels, from, to);
    }

    @Override
    public List<Rollup> daily(Collection<Integer> channels, long from, long to) {
        return queries.rollups("rollup_daily", channels, from, to);
    }

    @Override
    public Map<Integer, Long> newestHourly() {
        return queries.newestHourly();
    }

    @Override
    public List<ReadingKey> staleHours() {
        return queries.staleHours();
    }

    @Override
    public List<Bucket> bucketsFromReadings(int channelId, long from, long to, long width) {
        return queries.bucketsFromReadings(channelId, from, to, width);
    }

    @Override
    public List<Bucket> bucketsFromHourly(int channelId, long from, long to, long width) {
        return queries.bucketsFromRollups("rollup_hourly", channelId, from, to, width);
    }

    @Override
    public List<Bucket> bucketsFromDaily(int channelId, long from, long to, long width) {
        return queries.bucketsFromRollups("rollup_daily", channelId, from, to, width);
    }

    @Override
    public List<YearMonth> months() {
        return new ArrayList<>(months);
    }

    @Override
    public long exportCsv(Collection<Integer> channels, long from, long to, Writer out) throws IOException {
        return queries.exportCsv(channels, from, to, out);
    }

    @Override
    public List<QuarantineEntry> quarantined(String reason, int limit) {
        return queries.quarantined(reason, limit);
    }

    @Override
    public StorageStats stats() {
        long rows = queries.countReadings();
        long bytes = size(options.databaseFile()) + size(Path.of(options.databaseFile() + ".wal"));
        return new StorageStats(rows, bytes);
    }

    private static long size(Path p) {
        try {
            return Files.exists(p) ? Files.size(p) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    // ---- metadata

    @Override
    public MetadataStore metadata() {
        return metadata;
    }

    @Override
    public void close() {
        synchronized (writeLock) {
            reads.close();
            try {
                metadataConnection.close();
                writer.close();
            } catch (SQLException e) {
                LOG.warn("Closing the store: {}", e.getMessage());
            }
        }
        LOG.info("Embedded store closed");
    }
}
