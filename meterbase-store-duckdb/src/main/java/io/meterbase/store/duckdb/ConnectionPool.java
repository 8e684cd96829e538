package io.meterbase.store.duckdb;

import io.meterbase.core.store.StoreException;
import io.meterbase.store.jdbc.ConnectionSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.duckdb.DuckDBConnection;
import org.jspecify.annotations.Nullable;

/**
 * A fixed set of read connections duplicated from the database's first connection. Thread-safe; {@link #refill} and
 * {@link #close} expect no connection to be lent out (the store holds its exclusive lock then).
 */
final class ConnectionPool implements ConnectionSource, AutoCloseable {

    private final BlockingQueue<Connection> idle;
    private final int size;

    ConnectionPool(DuckDBConnection origin, int size) throws SQLException {
        this.size = size;
        this.idle = new ArrayBlockingQueue<>(size);
        refill(origin);
    }

    /** A new connection to the same database, using the attached store file as its default catalog. */
    static Connection duplicate(DuckDBConnection origin) throws SQLException {
        Connection c = origin.duplicate();
        try (Statement s = c.createStatement()) {
            s.execute("USE " + DuckDbStore.CATALOG);
        }
        return c;
    }

    /** Replaces every connection by one to {@code origin}'s database (after the store was attached again). */
    void refill(DuckDBConnection origin) throws SQLException {
        close();
        for (int i = 0; i < size; i++) {
            idle.add(duplicate(origin));
        }
    }

    @Override
    public <T extends @Nullable Object> T with(String what, Work<T> work) {
        Connection c;
        try {
            c = idle.poll(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted waiting for a connection to " + what);
        }
        if (c == null) {
            throw new StoreException("no store connection free for 30 s to " + what);
        }
        try {
            return work.run(c);
        } catch (SQLException e) {
            throw new StoreException("could not " + what + ": " + e.getMessage(), e);
        } finally {
            idle.add(c);
        }
    }

    @Override
    public void close() {
        for (Connection c : idle) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing anyway
            }
        }
        idle.clear();
    }
}
