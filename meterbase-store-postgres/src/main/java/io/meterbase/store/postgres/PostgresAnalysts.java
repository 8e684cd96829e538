package io.meterbase.store.postgres;

import io.meterbase.core.model.Channel;
import io.meterbase.core.model.Device;
import io.meterbase.core.model.Site;
import io.meterbase.store.jdbc.ConnectionSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Read-only SQL access for analysts and third parties (seed 004): login roles that see only the readings and
 * rollups of the customers granted to them (row-level security), and wide per-site monthly views shaped like a
 * spreadsheet ({@code dt}, then one column per device and quantity). Creating roles needs the CREATEROLE right.
 */
public final class PostgresAnalysts {

    private static final Pattern ROLE = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private static final Map<String, String> SHORT = Map.ofEntries(
            Map.entry("active_power", "p"),
            Map.entry("reactive_power", "q"),
            Map.entry("apparent_power", "s"),
            Map.entry("current", "a"),
            Map.entry("voltage", "v"),
            Map.entry("voltage_l1", "v1"),
            Map.entry("voltage_l2", "v2"),
            Map.entry("voltage_l3", "v3"),
            Map.entry("current_l1", "a1"),
            Map.entry("current_l2", "a2"),
            Map.entry("current_l3", "a3"),
            Map.entry("power_factor", "pf"),
            Map.entry("frequency", "f"),
            Map.entry("energy_import", "e"),
            Map.entry("energy_export", "ex"),
            Map.entry("temperature", "t"),
            Map.entry("humidity", "h"),
            Map.entry("illuminance", "lx"),
            Map.entry("gas_concentration", "gas"));

    private final ConnectionSource connections;

    PostgresAnalysts(ConnectionSource connections) {
        this.connections = connections;
    }

    /** Creates or updates the login role {@code name} and grants it the customers' data (adding to earlier grants). */
    public void grant(String name, String password, Collection<Long> customers) {
        requireRole(name);
        if (password == null || password.length() < 12) {
            throw new IllegalArgumentException("password: at least 12 characters");
        }
        connections.with("grant analyst " + name, c -> {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                boolean exists;
                try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_roles WHERE rolname = '" + name + "'")) {
                    exists = rs.next();
                }
                String quoted;
                try (PreparedStatement q = c.prepareStatement("SELECT quote_literal(?)")) {
                    q.setString(1, password);
                    try (ResultSet rs = q.executeQuery()) {
                        rs.next();
                        quoted = rs.getString(1);
                    }
                }
                s.execute((exists ? "ALTER ROLE " : "CREATE ROLE ") + name + " LOGIN PASSWORD " + quoted);
                s.execute("GRANT meterbase_analysts TO " + name);
                try (PreparedStatement ps =
                        c.prepareStatement("INSERT INTO analyst_grants VALUES (?, ?) ON CONFLICT DO NOTHING")) {
                    for (long customer : customers) {
                        ps.setString(1, name);
                        ps.setLong(2, customer);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                c.commit();
            } catch (RuntimeException | java.sql.SQLException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
            return null;
        });
    }

    /** Takes every grant from {@code name} and removes its login. */
    public void revoke(String name) {
        requireRole(name);
        connections.with("revoke analyst " + name, c -> {
            try (Statement s = c.createStatement()) {
                s.execute("DELETE FROM analyst_grants WHERE role_name = '" + name + "'");
                s.execute("DROP ROLE IF EXISTS " + name);
            }
            return null;
        });
    }

    /** Analysts and the customers granted to each. */
    public Map<String, List<Long>> grants() {
        return connections.with("list analysts", c -> {
            Map<String, List<Long>> out = new LinkedHashMap<>();
            try (ResultSet rs = c.createStatement()
                    .executeQuery("SELECT role_name, customer_id FROM analyst_grants ORDER BY 1, 2")) {
                while (rs.next()) {
                    out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getLong(2));
                }
            }
            return out;
        });
    }

    /**
     * (Re)creates {@code wide_site_<site>_<yyyy>_<mm>} for every site: {@code dt}, then one column per device
     * channel named {@code <device>_<p|a|v|v1|pf|e|...>}. The views run with the reader's rights, so row-level
     * security applies to analysts through them. Returns the names of the views.
     */
    public List<String> createWideViews(
            YearMonth month, List<Site> sites, List<Device> devices, Map<Long, List<Channel>> channelsByDevice) {
        String table = PostgresStore.partition(month);
        List<String> created = new ArrayList<>();
        for (Site site : sites) {
            List<String> columns = new ArrayList<>();
            List<Integer> ids = new ArrayList<>();
            Set<String> used = new HashSet<>();
            for (Device d : devices) {
                if (d.siteId() != site.id()) {
                    continue;
                }
                for (Channel ch : channelsByDevice.getOrDefault(d.id(), List.of())) {
                    String column = identifier(d.ref()) + "_" + SHORT.getOrDefault(ch.name(), identifier(ch.name()));
                    if (!used.add(column)) {
                        column = column + "_" + ch.id();
                        used.add(column);
                    }
                    columns.add("max(value) FILTER (WHERE channel_id = " + ch.id() + ") AS " + column);
                    ids.add(ch.id());
                }
            }
            if (ids.isEmpty()) {
                continue;
            }
            String view = String.format("wide_site_%d_%04d_%02d", site.id(), month.getYear(), month.getMonthValue());
            String sql = "CREATE VIEW " + view + " WITH (security_invoker = true) AS SELECT ts AS dt, "
                    + String.join(", ", columns) + " FROM " + table + " WHERE channel_id IN ("
                    + String.join(",", ids.stream().map(String::valueOf).toList()) + ") GROUP BY ts ORDER BY ts";
            connections.with("create " + view, c -> {
                try (Statement s = c.createStatement()) {
                    s.execute("DROP VIEW IF EXISTS " + view);
                    s.execute(sql);
                    s.execute("GRANT SELECT ON " + view + " TO meterbase_analysts");
                }
                return null;
            });
            created.add(view);
        }
        return created;
    }

    /** A lower-case SQL identifier made of a device or channel name: letters, digits and underscores. */
    static String identifier(String text) {
        String id = text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_").replaceAll("^_+|_+$", "");
        return id.isEmpty() || Character.isDigit(id.charAt(0)) ? "d_" + id : id;
    }

    private static void requireRole(String name) {
        if (name == null || !ROLE.matcher(name).matches() || name.startsWith("pg_") || name.startsWith("meterbase")) {
            throw new IllegalArgumentException(
                    "name: a lower-case PostgreSQL role name (letters, digits, _), not pg_* or meterbase*, was "
                            + name);
        }
    }
}
