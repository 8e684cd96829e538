package io.meterbase.store.jdbc;

import io.meterbase.core.store.Bucket;
import io.meterbase.core.store.QuarantineEntry;
import io.meterbase.core.store.ReadingKey;
import io.meterbase.core.store.Rollup;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The reads that the database stores share: rollups, downsampling from rollups, stale hours and the quarantine.
 * Their tables have the same names and columns in every store; the {@link Dialect} says how times and channel
 * lists are written. Readings themselves are read by each store (DuckDB keeps a table per month, PostgreSQL one
 * partitioned table). Thread-safe.
 */
public final class RollupQueries {

    /** The table of hourly rollups. */
    public static final String HOURLY = "rollup_hourly";

    /** The table of daily rollups. */
    public static final String DAILY = "rollup_daily";

    private final ConnectionSource reads;
    private final Dialect dialect;

    public RollupQueries(ConnectionSource reads, Dialect dialect) {
        this.reads = reads;
        this.dialect = dialect;
    }

    /** Rollups of the channels with start in {@code [from, to)}, by start then channel. */
    public List<Rollup> rollups(String table, Collection<Integer> channels, long from, long to) {
        if (channels.isEmpty()) {
            return List.of();
        }
        String sql =
                "SELECT channel_id, start, count, sum, min, max, energy, estimated, gap_ms, energy_out FROM " + table
                        + " WHERE "
                        + dialect.channelIn(channels) + " AND start >= ? AND start < ? ORDER BY start, channel_id";
        return reads.with("read " + table, c -> {
            List<Rollup> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int i = dialect.bindChannels(c, ps, 1, channels);
                dialect.bindTime(ps, i, from);
                dialect.bindTime(ps, i + 1, to);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Rollup(
                                rs.getInt(1),
                                dialect.time(rs, 2),
                                rs.getLong(3),
                                rs.getDouble(4),
                                doubleOrNaN(rs, 5),
                                doubleOrNaN(rs, 6),
                                doubleOrNaN(rs, 7),
                                rs.getDouble(8),
                                rs.getLong(9),
                                outOf(rs, 7, 10)));
                    }
                }
            }
            return out;
        });
    }

    /** The energy out: NaN where the period has no energy, 0 where it was stored as NULL. */
    private static double outOf(ResultSet rs, int energyColumn, int column) throws java.sql.SQLException {
        double out = rs.getDouble(column);
        boolean none = rs.wasNull();
        rs.getDouble(energyColumn);
        return rs.wasNull() ? Double.NaN : none ? 0 : out;
    }

    /** A column's value, NaN for SQL NULL. */
    private static double doubleOrNaN(ResultSet rs, int column) throws java.sql.SQLException {
        double value = rs.getDouble(column);
        return rs.wasNull() ? Double.NaN : value;
    }

    /** The newest hourly rollup start per channel. */
    public Map<Integer, Long> newestHourly() {
        return reads.with("read rollup state", c -> {
            Map<Integer, Long> out = new HashMap<>();
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT channel_id, max(start) FROM " + HOURLY + " GROUP BY 1")) {
                while (rs.next()) {
                    out.put(rs.getInt(1), dialect.time(rs, 2));
                }
            }
            return out;
        });
    }

    /** Hours marked stale by late readings, by hour then channel. */
    public List<ReadingKey> staleHours() {
        return reads.with("read stale hours", c -> {
            List<ReadingKey> out = new ArrayList<>();
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT DISTINCT channel_id, hour FROM stale_hours ORDER BY 2, 1")) {
                while (rs.next()) {
                    out.add(new ReadingKey(rs.getInt(1), dialect.time(rs, 2)));
                }
            }
            return out;
        });
    }

    /** Rollups of one channel in {@code [from, to)} in buckets of {@code width} ms, averages weighted by count. */
    public List<Bucket> buckets(String table, int channelId, long from, long to, long width) {
        String sql = "SELECT " + dialect.bucketOf("start", width) + " AS b, sum(sum) / sum(count), min(min),"
                + " max(max), sum(count) FROM " + table
                + " WHERE channel_id = ? AND start >= ? AND start < ? AND count > 0 GROUP BY b ORDER BY b";
        return reads.with("read a downsampled series", c -> {
            List<Bucket> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setInt(1, channelId);
                dialect.bindTime(ps, 2, from);
                dialect.bindTime(ps, 3, to);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Bucket(
                                rs.getLong(1), rs.getDouble(2), rs.getDouble(3), rs.getDouble(4), rs.getLong(5)));
                    }
                }
            }
            return out;
        });
    }

    /** The newest rejected inputs, newest first; {@code reason} null for all reasons. */
    public List<QuarantineEntry> quarantined(@Nullable String reason, int limit) {
        String sql = "SELECT received_at, source, customer_id, reason, detail, payload FROM quarantine"
                + (reason == null ? "" : " WHERE reason = ?") + " ORDER BY received_at DESC LIMIT " + limit;
        return reads.with("read the quarantine", c -> {
            List<QuarantineEntry> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                if (reason != null) {
                    ps.setString(1, reason);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new QuarantineEntry(
                                Instant.ofEpochMilli(dialect.time(rs, 1)),
                                rs.getString(2),
                                rs.getLong(3),
                                rs.getString(4),
                                rs.getString(5),
                                rs.getString(6)));
                    }
                }
            }
            return out;
        });
    }

    /** How many rejected inputs are kept. */
    public long quarantineSize() {
        return reads.with("count the quarantine", c -> {
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT count(*) FROM quarantine")) {
                return rs.next() ? rs.getLong(1) : 0L;
            }
        });
    }
}
