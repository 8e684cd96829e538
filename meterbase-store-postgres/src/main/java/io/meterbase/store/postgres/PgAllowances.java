package io.meterbase.store.postgres;

import io.meterbase.core.store.SharedAllowances;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Rate limits spent by the nodes on one database, in the table {@code rate_spent} (migration V9): each exchange
 * inserts this node's records and reads the other nodes' records made since a little before the previous exchange
 * (a record made just before that exchange may commit just after it), skipping those already read. Every thirtieth
 * exchange removes records older than a minute. Thread-safe.
 */
final class PgAllowances implements SharedAllowances {

    /** How far before the previous exchange the next one reads again (records that committed late). */
    private static final long OVERLAP_MS = 2_000;

    private static final long KEEP_MS = 60_000;

    private final PooledConnections connections;
    private final String node = UUID.randomUUID().toString();
    /** Records already read (by seq), with when they were made, until they are older than the overlap. */
    private final Map<Long, Long> read = new HashMap<>();

    private long previous = -1;
    private int exchanges;

    PgAllowances(PooledConnections connections) {
        this.connections = connections;
    }

    @Override
    public synchronized List<Spent> exchange(List<Spent> spentHere) {
        return connections.with("exchange rate limits with the other nodes", c -> {
            long now = now(c);
            if (!spentHere.isEmpty()) {
                insert(c, spentHere);
            }
            long since = previous < 0 ? now - OVERLAP_MS : previous - OVERLAP_MS;
            List<Spent> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT seq, at, limit_name, key, amount FROM rate_spent"
                    + " WHERE at > ? AND node <> ? ORDER BY seq")) {
                ps.setLong(1, since);
                ps.setString(2, node);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (read.putIfAbsent(rs.getLong(1), rs.getLong(2)) == null) {
                            out.add(new Spent(rs.getString(3), rs.getString(4), rs.getDouble(5)));
                        }
                    }
                }
            }
            read.values().removeIf(at -> at <= since);
            previous = now;
            if (++exchanges % 30 == 0) {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM rate_spent WHERE at < ?")) {
                    ps.setLong(1, now - KEEP_MS);
                    ps.executeUpdate();
                }
            }
            return out;
        });
    }

    private void insert(Connection c, List<Spent> spent) throws SQLException {
        String[] limits = new String[spent.size()];
        String[] keys = new String[spent.size()];
        Double[] amounts = new Double[spent.size()];
        for (int i = 0; i < spent.size(); i++) {
            limits[i] = spent.get(i).limit();
            keys[i] = spent.get(i).key();
            amounts[i] = spent.get(i).amount();
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO rate_spent (node, limit_name, key, amount)"
                + " SELECT ?, l, k, a FROM unnest(?::text[], ?::text[], ?::float8[]) AS s(l, k, a)")) {
            Array l = c.createArrayOf("text", limits);
            Array k = c.createArrayOf("text", keys);
            Array a = c.createArrayOf("float8", amounts);
            try {
                ps.setString(1, node);
                ps.setArray(2, l);
                ps.setArray(3, k);
                ps.setArray(4, a);
                ps.executeUpdate();
            } finally {
                l.free();
                k.free();
                a.free();
            }
        }
    }

    /** The database's clock (the one the records are stamped with), in milliseconds. */
    private static long now(Connection c) throws SQLException {
        try (PreparedStatement ps =
                        c.prepareStatement("SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
