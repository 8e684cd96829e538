package io.meterbase.store.jdbc;

import io.meterbase.core.store.StoreException;
import java.sql.Connection;
import java.sql.SQLException;
import org.jspecify.annotations.Nullable;

/** One connection lent to one piece of work at a time. Thread-safe. */
public final class SingleConnection implements ConnectionSource, AutoCloseable {

    private final Connection connection;

    public SingleConnection(Connection connection) {
        this.connection = connection;
    }

    @Override
    public synchronized <T extends @Nullable Object> T with(String what, Work<T> work) {
        try {
            return work.run(connection);
        } catch (SQLException e) {
            throw new StoreException("could not " + what + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // closing anyway
        }
    }
}
