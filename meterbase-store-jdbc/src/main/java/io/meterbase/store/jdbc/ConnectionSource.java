package io.meterbase.store.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import org.jspecify.annotations.Nullable;

/** Lends a connection for one piece of work and takes it back. Thread-safe; blocks while none is free. */
public interface ConnectionSource {

    /** Work done with a borrowed connection; work done for its effect returns null. */
    interface Work<T extends @Nullable Object> {
        T run(Connection c) throws SQLException;
    }

    /**
     * Runs {@code work} on a borrowed connection; a {@link SQLException} becomes a
     * {@link io.meterbase.core.store.StoreException} saying it could not {@code what}.
     */
    <T extends @Nullable Object> T with(String what, Work<T> work);
}
