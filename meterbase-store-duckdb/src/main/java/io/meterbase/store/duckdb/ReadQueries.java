package io.meterbase.store.duckdb;

import io.meterbase.core.model.Quality;
import io.meterbase.core.model.Reading;
import io.meterbase.core.store.Bucket;
import io.meterbase.core.store.CsvExport;
import io.meterbase.core.store.ReadingKey;
import io.meterbase.store.jdbc.ConnectionSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/** The read side of the embedded store; every query runs on a pooled connection. Thread-safe. */
final class ReadQueries {

    private final ConnectionSource pool;
    private final NavigableSet<YearMonth> months;

    ReadQueries(ConnectionSource pool, NavigableSet<YearMonth> months) {
        this.pool = pool;
        this.months = months;
    }

    /** The month tables that can hold timestamps in {@code [from, to]}, oldest first. */
    private List<String> tables(long from, long to) {
        List<String> out = new ArrayList<>();
        for (YearMonth m : months) {
            long start = DuckDbStore.monthStart(m);
            long end = DuckDbStore.monthStart(m.plusMonths(1));
            if (end > from && start <= to) {
                out.add(Schema.monthTable(m));
            }
        }
        return out;
    }

    /** {@code (SELECT ... UNION ALL ...)} over the month tables in range, with a WHERE clause on each. */
    private @Nullable String union(long from, long to, String columns, String where) {
        List<String> tables = tables(from, to);
        if (tables.isEmpty()) {
            return null;
        }
        return tables.stream()
                .map(t -> "SELECT " + columns + " FROM " + t + " WHERE " + where)
                .collect(Collectors.joining(" UNION ALL ", "(", ")"));
    }

    private static String inList(Collection<Integer> ids) {
        return ids.stream().map(String::valueOf).collect(Collectors.joining(",", "(", ")"));
    }

    Set<ReadingKey> existing(Collection<Integer> channels, long from, long to) {
        Set<ReadingKey> out = new HashSet<>();
        if (channels.isEmpty()) {
            return out;
        }
        String where = "ts >= " + from + " AND ts <= " + to + " AND channel_id IN " + inList(channels);
        String sql = union(from, to, "channel_id, ts", where);
        if (sql == null) {
            return out;
        }
        return pool.with("look up stored readings", c -> {
            try (ResultSet rs = c.createStatement().executeQuery(sql)) {
                while (rs.next()) {
                    out.add(new ReadingKey(rs.getInt(1), rs.getLong(2)));
                }
            }
            return out;
        });
    }

    Map<Integer, Long> newestTimestamps() {
        Map<Integer, Long> out = new HashMap<>();
        String sql = union(Long.MIN_VALUE, Long.MAX_VALUE, "channel_id, max(ts) AS ts", "true GROUP BY channel_id");
        if (sql == null) {
            return out;
        }
        return pool.with("find the newest readings", c -> {
            try (ResultSet rs = c.createStatement()
                    .executeQuery("SELECT channel_id, max(ts) FROM " + sql + " GROUP BY channel_id")) {
                while (rs.next()) {
                    out.put(rs.getInt(1), rs.getLong(2));
                }
            }
            return out;
        });
    }

    List<Reading> newestReadings() {
        List<Reading> out = new ArrayList<>();
        String sql = union(
                Long.MIN_VALUE,
                Long.MAX_VALUE,
                "channel_id, max(ts) AS ts, arg_max(value, ts) AS value, arg_max(quality, ts) AS quality",
                "true GROUP BY channel_id");
        if (sql == null) {
            return out;
        }
        return pool.with("read the newest readings", c -> {
            try (ResultSet rs = c.createStatement()
                    .executeQuery("SELECT channel_id, max(ts), arg_max(value, ts), arg_max(quality, ts) FROM " + sql
                            + " GROUP BY channel_id")) {
                while (rs.next()) {
                    out.add(new Reading(rs.getInt(1), rs.getLong(2), rs.getDouble(3), Quality.ofCode(rs.getInt(4))));
                }
            }
            return out;
        });
    }

    List<Reading> readings(int channelId, long from, long to, int limit) {
        String sql = union(from, to - 1, "*", "channel_id = " + channelId + " AND ts >= " + from + " AND ts < " + to);
        if (sql == null) {
            return List.of();
        }
        return pool.with("read readings", c -> {
            List<Reading> out = new ArrayList<>();
            try (ResultSet rs =
                    c.createStatement().executeQuery("SELECT * FROM " + sql + " ORDER BY ts LIMIT " + limit)) {
                while (rs.next()) {
                    out.add(readingOf(rs));
                }
            }
            return out;
        });
    }

    private static Reading readingOf(ResultSet rs) throws SQLException {
        return new Reading(rs.getInt(1), rs.getLong(2), rs.getDouble(3), Quality.ofCode(rs.getInt(4)));
    }

    /** The reading next to {@code timestamp}, searching month by month away from it. */
    Optional<Reading> neighbour(int channelId, long timestamp, boolean before) {
        List<YearMonth> order = new ArrayList<>(
                before
                        ? months.headSet(monthOf(timestamp), true).descendingSet()
                        : months.tailSet(monthOf(timestamp), true));
        for (YearMonth m : order) {
            String sql = "SELECT * FROM " + Schema.monthTable(m) + " WHERE channel_id = " + channelId
                    + (before
                            ? " AND ts < " + timestamp + " ORDER BY ts DESC"
                            : " AND ts > " + timestamp + " ORDER BY ts")
                    + " LIMIT 1";
            Optional<Reading> found = pool.with("read a neighbouring reading", c -> {
                try (ResultSet rs = c.createStatement().executeQuery(sql)) {
                    return rs.next() ? Optional.of(readingOf(rs)) : Optional.<Reading>empty();
                }
            });
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    private static YearMonth monthOf(long timestamp) {
        return YearMonth.from(Instant.ofEpochMilli(timestamp).atOffset(java.time.ZoneOffset.UTC));
    }

    List<Bucket> bucketsFromReadings(int channelId, long from, long to, long width) {
        String sql = union(
                from, to - 1, "ts, value", "channel_id = " + channelId + " AND ts >= " + from + " AND ts < " + to);
        if (sql == null) {
            return List.of();
        }
        return buckets("SELECT (ts // " + width + ") * " + width + " AS b, avg(value), min(value), max(value),"
                + " count(*) FROM " + sql + " GROUP BY b ORDER BY b");
    }

    private List<Bucket> buckets(String sql) {
        return pool.with("read a downsampled series", c -> {
            List<Bucket> out = new ArrayList<>();
            try (ResultSet rs = c.createStatement().executeQuery(sql)) {
                while (rs.next()) {
                    out.add(new Bucket(
                            rs.getLong(1), rs.getDouble(2), rs.getDouble(3), rs.getDouble(4), rs.getLong(5)));
                }
            }
            return out;
        });
    }

    long exportCsv(Collection<Integer> channels, long from, long to, Writer out) throws IOException {
        if (channels.isEmpty()) {
            return 0;
        }
        String sql = union(
                from, to - 1, "*", "channel_id IN " + inList(channels) + " AND ts >= " + from + " AND ts < " + to);
        if (sql == null) {
            return 0;
        }
        try {
            return pool.with("export readings", c -> {
                long n = 0;
                try (ResultSet rs =
                        c.createStatement().executeQuery("SELECT * FROM " + sql + " ORDER BY ts, channel_id")) {
                    while (rs.next()) {
                        out.write(CsvExport.line(
                                rs.getInt(1), rs.getLong(2), rs.getDouble(3), Quality.ofCode(rs.getInt(4))));
                        n++;
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return n;
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    long countReadings() {
        String sql = union(Long.MIN_VALUE, Long.MAX_VALUE, "count(*) AS n", "true");
        if (sql == null) {
            return 0;
        }
        return pool.with("count readings", c -> {
            try (ResultSet rs = c.createStatement().executeQuery("SELECT sum(n) FROM " + sql)) {
                return rs.next() ? rs.getLong(1) : 0L;
            }
        });
    }
}
