package io.meterbase.store.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/** The SQL that differs between the stores' databases. */
public enum Dialect {
    DUCKDB,
    POSTGRES;

    /**
     * Runs {@code work} in one transaction on a connection in autocommit mode, committing when it returns and
     * rolling back when it throws. DuckDB's transactions are driven with SQL ({@code BEGIN}, {@code COMMIT}): after
     * a commit that failed (a full disk), its JDBC driver's own transaction state no longer matches the database's,
     * and later statements commit on their own.
     */
    public <T extends @Nullable Object> T inTransaction(Connection c, ConnectionSource.Work<T> work)
            throws SQLException {
        if (this == POSTGRES) {
            c.setAutoCommit(false);
        } else {
            execute(c, "BEGIN TRANSACTION");
        }
        try {
            T result = work.run(c);
            if (this == POSTGRES) {
                c.commit();
            } else {
                execute(c, "COMMIT");
            }
            return result;
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly(c, e);
            throw e;
        } finally {
            if (this == POSTGRES) {
                try {
                    c.setAutoCommit(true);
                } catch (SQLException ignored) {
                    // a broken connection; its pool drops it
                }
            }
        }
    }

    private void rollbackQuietly(Connection c, Exception cause) {
        try {
            if (this == POSTGRES) {
                c.rollback();
            } else {
                execute(c, "ROLLBACK");
            }
        } catch (SQLException e) {
            // a failed COMMIT has ended the transaction already
            cause.addSuppressed(e);
        }
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** PostgreSQL's timestamp range, in epoch milliseconds; callers may pass any long as an open bound. */
    private static final long MIN_MILLIS =
            java.time.Instant.parse("-4712-01-01T00:00:00Z").toEpochMilli();

    private static final long MAX_MILLIS =
            java.time.Instant.parse("+294275-12-31T00:00:00Z").toEpochMilli();

    /**
     * Binds an instant (epoch ms): DuckDB keeps times as epoch-ms {@code BIGINT}, PostgreSQL as {@code timestamptz}
     * (an open bound beyond its range is clamped to it).
     */
    public void bindTime(java.sql.PreparedStatement ps, int index, long millis) throws SQLException {
        if (this == DUCKDB) {
            ps.setLong(index, millis);
        } else {
            long clamped = Math.max(MIN_MILLIS, Math.min(MAX_MILLIS, millis));
            ps.setObject(index, java.time.Instant.ofEpochMilli(clamped).atOffset(java.time.ZoneOffset.UTC));
        }
    }

    /** Reads an instant (epoch ms) written by {@link #bindTime}. */
    public long time(java.sql.ResultSet rs, int column) throws SQLException {
        return this == DUCKDB
                ? rs.getLong(column)
                : rs.getObject(column, java.time.OffsetDateTime.class)
                        .toInstant()
                        .toEpochMilli();
    }

    /** The start of the bucket of {@code width} ms that a time column's value falls in, as epoch ms. */
    public String bucketOf(String timeColumn, long width) {
        return this == DUCKDB
                ? "(" + timeColumn + " // " + width + ") * " + width
                : "((extract(epoch from " + timeColumn + ") * 1000)::bigint / " + width + ") * " + width;
    }

    /**
     * A condition that {@code channel_id} is one of {@code ids}: a literal list for DuckDB, one array parameter for
     * PostgreSQL (bound by {@link #bindChannels}), so that its plans are reused.
     */
    public String channelIn(Collection<Integer> ids) {
        return this == DUCKDB
                ? ids.stream().map(String::valueOf).collect(Collectors.joining(",", "channel_id IN (", ")"))
                : "channel_id = ANY(?)";
    }

    /** Binds what {@link #channelIn} asks for at {@code index}; returns the next parameter's index. */
    public int bindChannels(Connection c, java.sql.PreparedStatement ps, int index, Collection<Integer> ids)
            throws SQLException {
        if (this == DUCKDB) {
            return index;
        }
        ps.setArray(index, c.createArrayOf("int4", ids.toArray(Integer[]::new)));
        return index + 1;
    }

    /** An insert that replaces the row with the same {@code key} (the first column). */
    public String upsert(String table, List<String> columns) {
        return upsert(table, columns, 1);
    }

    /** An insert of {@code rows} rows at once that replaces those with the same key (the first column). */
    public String upsert(String table, List<String> columns, int rows) {
        String tuple = columns.stream().map(c -> "?").collect(Collectors.joining(", ", "(", ")"));
        String insert = "INSERT " + (this == DUCKDB ? "OR REPLACE " : "") + "INTO " + table + " ("
                + String.join(", ", columns) + ") VALUES "
                + String.join(", ", java.util.Collections.nCopies(rows, tuple));
        if (this == DUCKDB) {
            return insert;
        }
        String updates =
                columns.stream().skip(1).map(c -> c + " = EXCLUDED." + c).collect(Collectors.joining(", "));
        return insert + " ON CONFLICT (" + columns.get(0) + ") DO UPDATE SET " + updates;
    }

    /** Rows written per statement by {@link #upsertAll}. */
    private static final int ROWS_PER_STATEMENT = 500;

    /**
     * Upserts many rows with multi-row statements. JDBC batches are not used: DuckDB's driver wraps a batch in a
     * transaction of its own, which fails inside {@link #inTransaction}.
     */
    public void upsertAll(Connection c, String table, List<String> columns, List<Object[]> rows) throws SQLException {
        writeRows(c, n -> upsert(table, columns, n), rows);
    }

    /** Inserts many rows with multi-row statements (see {@link #upsertAll}). */
    public void insertAll(Connection c, String table, List<String> columns, List<Object[]> rows) throws SQLException {
        String tuple = columns.stream().map(col -> "?").collect(Collectors.joining(", ", "(", ")"));
        String insert = "INSERT INTO " + table + " (" + String.join(", ", columns) + ") VALUES ";
        writeRows(c, n -> insert + String.join(", ", java.util.Collections.nCopies(n, tuple)), rows);
    }

    private static void writeRows(Connection c, java.util.function.IntFunction<String> sql, List<Object[]> rows)
            throws SQLException {
        for (int from = 0; from < rows.size(); from += ROWS_PER_STATEMENT) {
            List<Object[]> chunk = rows.subList(from, Math.min(rows.size(), from + ROWS_PER_STATEMENT));
            try (java.sql.PreparedStatement ps = c.prepareStatement(sql.apply(chunk.size()))) {
                int i = 1;
                for (Object[] row : chunk) {
                    for (Object value : row) {
                        if (value == null) {
                            ps.setNull(i++, java.sql.Types.NULL);
                        } else {
                            ps.setObject(i++, value);
                        }
                    }
                }
                ps.executeUpdate();
            }
        }
    }
}
