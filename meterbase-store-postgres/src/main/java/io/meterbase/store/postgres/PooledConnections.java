package io.meterbase.store.postgres;

import com.zaxxer.hikari.HikariDataSource;
import io.meterbase.core.store.StoreException;
import io.meterbase.store.jdbc.ConnectionSource;
import java.sql.Connection;
import java.sql.SQLException;
import org.jspecify.annotations.Nullable;

/** Connections from the HikariCP pool, one per piece of work, in autocommit mode. Thread-safe. */
final class PooledConnections implements ConnectionSource {

    private final HikariDataSource pool;

    PooledConnections(HikariDataSource pool) {
        this.pool = pool;
    }

    @Override
    public <T extends @Nullable Object> T with(String what, Work<T> work) {
        try (Connection c = pool.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new StoreException("could not " + what + ": " + e.getMessage(), e);
        }
    }
}
