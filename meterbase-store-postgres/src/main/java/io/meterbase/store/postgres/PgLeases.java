package io.meterbase.store.postgres;

import io.meterbase.core.store.Leases;
import io.meterbase.core.store.StoreException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leases as PostgreSQL session-level advisory locks, held on a connection of this node's own: the database grants
 * each lock to one session, and frees it when that session ends, so a lease moves to another node as soon as its
 * holder dies or loses the database (at the next time the other node asks). Before saying that a lease is held,
 * the connection is checked; a broken connection loses every lease.
 */
final class PgLeases implements Leases {

    private static final Logger LOG = LoggerFactory.getLogger(PgLeases.class);

    private final String url;
    private final String user;
    private final String password;
    private final Set<String> held = new HashSet<>();
    private @Nullable Connection connection;
    private boolean closed;

    PgLeases(String url, String user, String password) {
        this.url = url;
        this.user = user;
        this.password = password;
    }

    @Override
    public synchronized boolean holds(String work) {
        if (closed) {
            return false;
        }
        try {
            Connection c = connection();
            if (held.contains(work)) {
                try (Statement s = c.createStatement()) {
                    s.execute("SELECT 1"); // the locks live as long as this session
                }
                return true;
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
                ps.setLong(1, key(work));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        held.add(work);
                        LOG.info("This node now runs '{}' for all nodes on this database", work);
                    }
                }
            }
            return held.contains(work);
        } catch (SQLException e) {
            if (!held.isEmpty()) {
                LOG.warn(
                        "Lost the database session that held {}; another node takes them over: {}", held, e.toString());
            }
            drop();
            return false;
        }
    }

    @Override
    public synchronized void release(String work) {
        Connection c = connection;
        if (!held.remove(work) || c == null) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_unlock(?)")) {
            ps.setLong(1, key(work));
            ps.executeQuery().close();
        } catch (SQLException e) {
            drop(); // the session is broken: its locks are gone with it
        }
    }

    @Override
    public <T> T exclusively(String work, Supplier<T> body) {
        java.util.Properties props = PostgresStore.ownConnection(user, password, "meterbase-first-start");
        props.setProperty("socketTimeout", "0"); // waits for the lock as long as another node's first start lasts
        try (Connection c = DriverManager.getConnection(url, props)) {
            try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_lock(?)")) {
                lock.setLong(1, key(work));
                lock.executeQuery().close();
            }
            try {
                return body.get();
            } finally {
                try (PreparedStatement unlock = c.prepareStatement("SELECT pg_advisory_unlock(?)")) {
                    unlock.setLong(1, key(work));
                    unlock.executeQuery().close();
                }
            }
        } catch (SQLException e) {
            throw new StoreException("could not take the lock of '" + work + "': " + e.getMessage(), e);
        }
    }

    private Connection connection() throws SQLException {
        Connection c = connection;
        if (c == null || c.isClosed()) {
            held.clear();
            c = DriverManager.getConnection(url, PostgresStore.ownConnection(user, password, "meterbase-leases"));
            connection = c;
        }
        return c;
    }

    private void drop() {
        held.clear();
        Connection c = connection;
        connection = null;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // broken already
            }
        }
    }

    /** The lock key of a work's name: the first 8 bytes of its SHA-256, the same on every node. */
    static long key(String work) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(("meterbase lease " + work).getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(digest).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        drop();
    }
}
