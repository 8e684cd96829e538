package io.meterbase.store.jdbc;

import io.meterbase.core.model.Accumulation;
import io.meterbase.core.model.ApiKey;
import io.meterbase.core.model.Category;
import io.meterbase.core.model.Channel;
import io.meterbase.core.model.Customer;
import io.meterbase.core.model.Device;
import io.meterbase.core.model.DeviceType;
import io.meterbase.core.model.Gateway;
import io.meterbase.core.model.GeoPosition;
import io.meterbase.core.model.KeyScope;
import io.meterbase.core.model.Quantity;
import io.meterbase.core.model.Role;
import io.meterbase.core.model.Site;
import io.meterbase.core.store.DocumentStore;
import io.meterbase.core.store.MetadataBatch;
import io.meterbase.core.store.MetadataStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Metadata rows and the services' documents in SQL tables (the same columns in every store), written through one
 * autocommit connection and read through a {@link ConnectionSource}. Thread-safe.
 */
public final class JdbcMetadataStore implements MetadataStore, DocumentStore {

    /** Registrations above this many rows go to the store's bulk path, where it has one. */
    public static final int BULK_FROM = 17;

    /** The columns of each metadata table, the key first. */
    public static final Map<String, List<String>> COLUMNS = Map.of(
            "customers",
            List.of("id", "name", "created_at"),
            "sites",
            List.of("id", "customer_id", "name", "address", "lat", "lon", "community", "zone"),
            "gateways",
            List.of("id", "customer_id", "site_id", "ref", "name", "address", "port"),
            "devices",
            List.of("id", "customer_id", "site_id", "gateway_id", "ref", "name", "type", "category"),
            "channels",
            List.of("id", "device_id", "name", "quantity", "accumulation"),
            "api_keys",
            List.of(
                    "id",
                    "customer_id",
                    "role",
                    "label",
                    "prefix",
                    "hash",
                    "created_at",
                    "revoked_at",
                    "scope",
                    "target",
                    "expires_at"),
            "documents",
            List.of("id", "kind", "body", "updated_at"));

    /** The columns of a metadata table, the key first. */
    public static List<String> columns(String table) {
        List<String> columns = COLUMNS.get(table);
        if (columns == null) {
            throw new IllegalArgumentException("no metadata table " + table);
        }
        return columns;
    }

    private final ConnectionSource writes;
    private final ConnectionSource reads;
    private final Dialect dialect;
    private final @Nullable Consumer<MetadataBatch> bulk;
    /** Ids of the embedded store, which one process opens; PostgreSQL's come from its sequences. */
    private final io.meterbase.core.store.IdCounter counter =
            new io.meterbase.core.store.IdCounter(this::largestStored);

    public JdbcMetadataStore(ConnectionSource writes, ConnectionSource reads, Dialect dialect) {
        this(writes, reads, dialect, null);
    }

    /**
     * A metadata store that hands registrations of {@link #BULK_FROM} rows or more to {@code bulk} (all or nothing,
     * as {@link #saveAll} promises), for a store that has a faster way to write many rows than row statements.
     */
    public JdbcMetadataStore(
            ConnectionSource writes, ConnectionSource reads, Dialect dialect, @Nullable Consumer<MetadataBatch> bulk) {
        this.writes = writes;
        this.reads = reads;
        this.dialect = dialect;
        this.bulk = bulk;
    }

    @Override
    public long[] newIds(io.meterbase.core.store.IdKind kind, int count) {
        if (dialect != Dialect.POSTGRES) {
            return counter.take(kind, count);
        }
        String sql = "SELECT nextval('" + kind.sequence() + "') FROM generate_series(1, ?)";
        return writes.with("reserve ids", c -> {
            long[] ids = new long[count];
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setInt(1, count);
                try (ResultSet rs = ps.executeQuery()) {
                    for (int i = 0; i < count && rs.next(); i++) {
                        ids[i] = rs.getLong(1);
                    }
                }
            }
            return ids;
        });
    }

    /** The tables whose ids each kind numbers. */
    private static List<String> tablesOf(io.meterbase.core.store.IdKind kind) {
        return kind == io.meterbase.core.store.IdKind.CHANNEL
                ? List.of("channels")
                : List.of("customers", "sites", "gateways", "devices", "api_keys");
    }

    private String largestIdSql(io.meterbase.core.store.IdKind kind) {
        return "SELECT coalesce(max(id), 0) FROM ("
                + String.join(
                        " UNION ALL ",
                        tablesOf(kind).stream().map(t -> "SELECT id FROM " + t).toList())
                + ") ids";
    }

    private long largestStored(io.meterbase.core.store.IdKind kind) {
        return reads.with("read the largest id", c -> {
            try (ResultSet rs = c.createStatement().executeQuery(largestIdSql(kind))) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    @Override
    public void passCopiedIds() {
        if (dialect != Dialect.POSTGRES) {
            return;
        }
        writes.with("move the id sequences past the copied ids", c -> {
            try (Statement s = c.createStatement()) {
                for (io.meterbase.core.store.IdKind kind : io.meterbase.core.store.IdKind.values()) {
                    s.executeQuery("SELECT setval('" + kind.sequence() + "', greatest((SELECT last_value FROM "
                                    + kind.sequence() + "), (" + largestIdSql(kind) + ")))")
                            .close();
                }
            }
            return null;
        });
    }

    @Override
    public void save(Customer c) {
        upsert("customers", c.id(), c.name(), c.createdAt().toEpochMilli());
    }

    @Override
    public void save(Site s) {
        upsert(
                "sites",
                s.id(),
                s.customerId(),
                s.name(),
                s.address(),
                s.position() == null ? null : s.position().latitude(),
                s.position() == null ? null : s.position().longitude(),
                s.community(),
                s.zone().getId());
    }

    @Override
    public void save(Gateway g) {
        upsert("gateways", values(g));
    }

    @Override
    public void save(Device d) {
        upsert("devices", values(d));
    }

    @Override
    public void save(Channel c) {
        upsert("channels", values(c));
    }

    private static Object[] values(Gateway g) {
        return new Object[] {g.id(), g.customerId(), g.siteId(), g.ref(), g.name(), g.address(), g.port()};
    }

    private static Object[] values(Device d) {
        return new Object[] {
            d.id(),
            d.customerId(),
            d.siteId(),
            d.gatewayId(),
            d.ref(),
            d.name(),
            d.type().name(),
            d.category().name()
        };
    }

    private static Object[] values(Channel c) {
        return new Object[] {
            c.id(),
            c.deviceId(),
            c.name(),
            c.quantity().name(),
            c.accumulation().name()
        };
    }

    @Override
    public void save(ApiKey k) {
        upsert(
                "api_keys",
                k.id(),
                k.customerId(),
                k.role().name(),
                k.label(),
                k.prefix(),
                k.hash(),
                k.createdAt().toEpochMilli(),
                k.revokedAt() == null ? null : k.revokedAt().toEpochMilli(),
                k.scope().name(),
                k.target(),
                k.expiresAt() == null ? null : k.expiresAt().toEpochMilli());
    }

    private synchronized void upsert(String table, @Nullable Object... values) {
        String sql = dialect.upsert(table, columns(table));
        writes.with("save to " + table, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                bind(ps, values);
                return ps.executeUpdate();
            }
        });
    }

    private static void bind(PreparedStatement ps, @Nullable Object... values) throws SQLException {
        for (int i = 0; i < values.length; i++) {
            if (values[i] == null) {
                ps.setNull(i + 1, Types.NULL);
            } else {
                ps.setObject(i + 1, values[i]);
            }
        }
    }

    /** Maps one row. */
    private interface Row<T> {
        T map(ResultSet rs) throws SQLException;
    }

    private <T> List<T> all(String table, Row<T> row) {
        return reads.with("read " + table, c -> {
            List<T> out = new ArrayList<>();
            String sql = "SELECT " + String.join(", ", columns(table)) + " FROM " + table + " ORDER BY id";
            try (ResultSet rs = c.createStatement().executeQuery(sql)) {
                while (rs.next()) {
                    out.add(row.map(rs));
                }
            }
            return out;
        });
    }

    @Override
    public List<Customer> customers() {
        return all("customers", JdbcMetadataStore::customer);
    }

    private static Customer customer(ResultSet rs) throws SQLException {
        return new Customer(rs.getLong(1), rs.getString(2), Instant.ofEpochMilli(rs.getLong(3)));
    }

    @Override
    public List<Site> sites() {
        return all("sites", JdbcMetadataStore::site);
    }

    private static Site site(ResultSet rs) throws SQLException {
        double lat = rs.getDouble(5);
        boolean noPosition = rs.wasNull();
        double lon = rs.getDouble(6);
        return new Site(
                rs.getLong(1),
                rs.getLong(2),
                rs.getString(3),
                rs.getString(4),
                noPosition ? null : new GeoPosition(lat, lon),
                rs.getString(7),
                ZoneId.of(rs.getString(8)));
    }

    @Override
    public List<Gateway> gateways() {
        return all("gateways", JdbcMetadataStore::gateway);
    }

    private static Gateway gateway(ResultSet rs) throws SQLException {
        return new Gateway(
                rs.getLong(1),
                rs.getLong(2),
                rs.getLong(3),
                rs.getString(4),
                rs.getString(5),
                rs.getString(6),
                rs.getInt(7));
    }

    @Override
    public List<Device> devices() {
        return all("devices", JdbcMetadataStore::device);
    }

    private static Device device(ResultSet rs) throws SQLException {
        return new Device(
                rs.getLong(1),
                rs.getLong(2),
                rs.getLong(3),
                rs.getLong(4),
                rs.getString(5),
                rs.getString(6),
                DeviceType.valueOf(rs.getString(7)),
                Category.valueOf(rs.getString(8)));
    }

    @Override
    public List<Channel> channels() {
        return all("channels", JdbcMetadataStore::channel);
    }

    private static Channel channel(ResultSet rs) throws SQLException {
        return new Channel(
                rs.getInt(1),
                rs.getLong(2),
                rs.getString(3),
                Quantity.valueOf(rs.getString(4)),
                Accumulation.valueOf(rs.getString(5)));
    }

    @Override
    public List<ApiKey> apiKeys() {
        return all("api_keys", JdbcMetadataStore::apiKey);
    }

    private static ApiKey apiKey(ResultSet rs) throws SQLException {
        long revoked = rs.getLong(8);
        boolean active = rs.wasNull();
        Role role = Role.valueOf(rs.getString(3));
        String scope = rs.getString(9); // null: a key made before keys had scopes
        long expires = rs.getLong(11);
        boolean noExpiry = rs.wasNull();
        return new ApiKey(
                rs.getLong(1),
                rs.getLong(2),
                role,
                rs.getString(4),
                rs.getString(5),
                rs.getString(6),
                Instant.ofEpochMilli(rs.getLong(7)),
                active ? null : Instant.ofEpochMilli(revoked),
                scope == null ? KeyScope.of(role) : KeyScope.valueOf(scope),
                rs.getString(10),
                noExpiry ? null : Instant.ofEpochMilli(expires));
    }

    /** On PostgreSQL, each table's changed rows in one query by id; elsewhere the interface's reading of all. */
    @Override
    public MetadataRows rows(io.meterbase.core.store.StoreChanges changes) {
        if (dialect != Dialect.POSTGRES) {
            return MetadataStore.super.rows(changes);
        }
        return new MetadataRows(
                byIds("customers", changes.ids("customers"), JdbcMetadataStore::customer),
                byIds("sites", changes.ids("sites"), JdbcMetadataStore::site),
                byIds("gateways", changes.ids("gateways"), JdbcMetadataStore::gateway),
                byIds("devices", changes.ids("devices"), JdbcMetadataStore::device),
                byIds("channels", changes.ids("channels"), JdbcMetadataStore::channel),
                byIds("api_keys", changes.ids("api_keys"), JdbcMetadataStore::apiKey));
    }

    private <T> List<T> byIds(String table, java.util.Set<Long> ids, Row<T> row) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return reads.with("read " + table, c -> {
            List<T> out = new ArrayList<>();
            String sql = "SELECT " + String.join(", ", columns(table)) + " FROM " + table
                    + " WHERE id = ANY(?::bigint[]) ORDER BY id";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setArray(1, c.createArrayOf("int8", ids.toArray(Long[]::new)));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(row.map(rs));
                    }
                }
            }
            return out;
        });
    }

    @Override
    public java.util.Optional<String> document(String kind, String id) {
        return reads.with("read a document", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT body FROM documents WHERE id = ?")) {
                ps.setString(1, kind + "/" + id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? java.util.Optional.of(rs.getString(1)) : java.util.Optional.empty();
                }
            }
        });
    }

    @Override
    public void saveDocument(String kind, String id, String json) {
        upsert("documents", kind + "/" + id, kind, json, System.currentTimeMillis());
    }

    @Override
    public boolean replaceDocument(String kind, String id, String json) {
        return writes.with("replace a document", c -> {
            try (PreparedStatement ps =
                    c.prepareStatement("UPDATE documents SET body = ?, updated_at = ? WHERE id = ?")) {
                bind(ps, json, System.currentTimeMillis(), kind + "/" + id);
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public boolean compareAndReplace(String kind, String id, String expected, String json) {
        return writes.with("replace a document", c -> {
            try (PreparedStatement ps =
                    c.prepareStatement("UPDATE documents SET body = ?, updated_at = ? WHERE id = ? AND body = ?")) {
                bind(ps, json, System.currentTimeMillis(), kind + "/" + id, expected);
                return ps.executeUpdate() == 1;
            }
        });
    }

    /** Inserts the document unless its id is taken (ON CONFLICT DO NOTHING); reads the stored one otherwise. */
    @Override
    public java.util.Optional<String> saveDocumentIfAbsent(String kind, String id, String json) {
        int inserted = writes.with("save a document", c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO documents (id, kind, body, updated_at)"
                    + " VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING")) {
                bind(ps, kind + "/" + id, kind, json, System.currentTimeMillis());
                return ps.executeUpdate();
            }
        });
        if (inserted == 1) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(document(kind, id).orElse(json));
    }

    @Override
    public synchronized void saveDocuments(String kind, Map<String, String> jsonById) {
        if (jsonById.isEmpty()) {
            return;
        }
        String sql = dialect.upsert("documents", columns("documents"));
        long now = System.currentTimeMillis();
        writes.with(
                "save documents",
                c -> dialect.inTransaction(c, tx -> {
                    try (PreparedStatement ps = tx.prepareStatement(sql)) {
                        for (Map.Entry<String, String> e : jsonById.entrySet()) {
                            bind(ps, kind + "/" + e.getKey(), kind, e.getValue(), now);
                            ps.executeUpdate();
                        }
                    }
                    return jsonById.size();
                }));
    }

    @Override
    public io.meterbase.core.store.SaveConflicts saveAll(MetadataBatch batch) {
        if (batch.isEmpty()) {
            return io.meterbase.core.store.SaveConflicts.NONE;
        }
        if (dialect == Dialect.POSTGRES) {
            return insertOrGet(batch);
        }
        if (bulk != null && batch.size() >= BULK_FROM) {
            bulk.accept(batch);
            return io.meterbase.core.store.SaveConflicts.NONE;
        }
        saveRows(batch);
        return io.meterbase.core.store.SaveConflicts.NONE;
    }

    /**
     * PostgreSQL, which several nodes share: each row is inserted unless its natural key ((customer, ref) of a
     * gateway or device, (device, name) of a channel) is there already; rows behind a row not inserted (devices of
     * its gateway, channels of its device) are not inserted either. The rows that were there are read back.
     */
    private io.meterbase.core.store.SaveConflicts insertOrGet(MetadataBatch batch) {
        return writes.with(
                "save " + batch.size() + " registrations",
                c -> dialect.inTransaction(c, tx -> {
                    java.util.Set<Long> skipped = new java.util.HashSet<>();
                    java.util.Set<Integer> skippedChannels = new java.util.HashSet<>();
                    // rows go in natural-key order, table by table: two nodes inserting the same keys wait for each
                    // other in one order, never in a cycle (a deadlock)
                    java.util.Set<Long> saved = insertNew(
                            tx,
                            "gateways",
                            "customer_id, ref",
                            sorted(batch.gateways(), GATEWAY_KEY),
                            JdbcMetadataStore::values);
                    List<Gateway> lostGateways = new ArrayList<>();
                    for (Gateway g : batch.gateways()) {
                        if (!saved.contains(g.id())) {
                            skipped.add(g.id());
                            lostGateways.add(g);
                        }
                    }
                    // a row behind one that lost, in this batch or in an earlier commit of this node, is not saved
                    java.util.Set<Long> gatewaysThere = new java.util.HashSet<>(saved);
                    gatewaysThere.add(0L);
                    gatewaysThere.addAll(existing(
                            tx,
                            "gateways",
                            batch.devices().stream().map(Device::gatewayId).toList()));
                    List<Device> devices = new ArrayList<>();
                    for (Device d : batch.devices()) {
                        if (!gatewaysThere.contains(d.gatewayId())) {
                            skipped.add(d.id());
                        } else {
                            devices.add(d);
                        }
                    }
                    saved = insertNew(
                            tx, "devices", "customer_id, ref", sorted(devices, DEVICE_KEY), JdbcMetadataStore::values);
                    List<Device> lostDevices = new ArrayList<>();
                    for (Device d : devices) {
                        if (!saved.contains(d.id())) {
                            skipped.add(d.id());
                            lostDevices.add(d);
                        }
                    }
                    java.util.Set<Long> devicesThere = new java.util.HashSet<>(saved);
                    devicesThere.addAll(existing(
                            tx,
                            "devices",
                            batch.channels().stream().map(Channel::deviceId).toList()));
                    List<Channel> channels = new ArrayList<>();
                    for (Channel ch : batch.channels()) {
                        if (!devicesThere.contains(ch.deviceId())) {
                            skippedChannels.add(ch.id());
                        } else {
                            channels.add(ch);
                        }
                    }
                    java.util.Set<Long> savedChannels = insertNew(
                            tx,
                            "channels",
                            "device_id, name",
                            sorted(channels, CHANNEL_KEY),
                            JdbcMetadataStore::values);
                    List<Channel> lostChannels = new ArrayList<>();
                    for (Channel ch : channels) {
                        if (!savedChannels.contains((long) ch.id())) {
                            skippedChannels.add(ch.id());
                            lostChannels.add(ch);
                        }
                    }
                    if (skipped.isEmpty() && skippedChannels.isEmpty()) {
                        return io.meterbase.core.store.SaveConflicts.NONE;
                    }
                    List<Gateway> storedGateways = new ArrayList<>();
                    for (Gateway g : lostGateways) {
                        storedGateways.addAll(where(
                                tx,
                                "gateways",
                                "customer_id = ? AND ref = ?",
                                g.customerId(),
                                g.ref(),
                                JdbcMetadataStore::gateway));
                    }
                    List<Device> storedDevices = new ArrayList<>();
                    for (Device d : lostDevices) {
                        storedDevices.addAll(where(
                                tx,
                                "devices",
                                "customer_id = ? AND ref = ?",
                                d.customerId(),
                                d.ref(),
                                JdbcMetadataStore::device));
                    }
                    List<Channel> storedChannels = new ArrayList<>();
                    for (Channel ch : lostChannels) {
                        storedChannels.addAll(where(
                                tx,
                                "channels",
                                "device_id = ? AND name = ?",
                                ch.deviceId(),
                                ch.name(),
                                JdbcMetadataStore::channel));
                    }
                    return new io.meterbase.core.store.SaveConflicts(
                            new MetadataBatch(storedGateways, storedDevices, storedChannels), skipped, skippedChannels);
                }));
    }

    private static final java.util.Comparator<Gateway> GATEWAY_KEY =
            java.util.Comparator.comparingLong(Gateway::customerId).thenComparing(Gateway::ref);
    private static final java.util.Comparator<Device> DEVICE_KEY =
            java.util.Comparator.comparingLong(Device::customerId).thenComparing(Device::ref);
    private static final java.util.Comparator<Channel> CHANNEL_KEY =
            java.util.Comparator.comparingLong(Channel::deviceId).thenComparing(Channel::name);

    private static <T> List<T> sorted(List<T> rows, java.util.Comparator<T> order) {
        List<T> out = new ArrayList<>(rows);
        out.sort(order);
        return out;
    }

    /** Which of these ids a table has. */
    private static java.util.Set<Long> existing(java.sql.Connection c, String table, List<Long> ids)
            throws SQLException {
        java.util.Set<Long> out = new java.util.HashSet<>();
        if (ids.isEmpty()) {
            return out;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT id FROM " + table + " WHERE id = ANY(?)")) {
            ps.setArray(1, c.createArrayOf("int8", new java.util.HashSet<>(ids).toArray(Long[]::new)));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getLong(1));
                }
            }
        }
        return out;
    }

    /** Inserts the rows whose {@code naturalKey} is not taken; returns the ids of those inserted. */
    private static <T> java.util.Set<Long> insertNew(
            java.sql.Connection c,
            String table,
            String naturalKey,
            List<T> rows,
            java.util.function.Function<T, Object[]> values)
            throws SQLException {
        java.util.Set<Long> inserted = new java.util.HashSet<>();
        List<String> columns = columns(table);
        String tuple = columns.stream().map(col -> "?").collect(java.util.stream.Collectors.joining(", ", "(", ")"));
        for (int from = 0; from < rows.size(); from += 500) {
            List<T> chunk = rows.subList(from, Math.min(rows.size(), from + 500));
            String sql = "INSERT INTO " + table + " (" + String.join(", ", columns) + ") VALUES "
                    + String.join(", ", java.util.Collections.nCopies(chunk.size(), tuple)) + " ON CONFLICT ("
                    + naturalKey + ") DO NOTHING RETURNING id";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int i = 1;
                for (T row : chunk) {
                    for (Object v : values.apply(row)) {
                        if (v == null) {
                            ps.setNull(i++, Types.NULL);
                        } else {
                            ps.setObject(i++, v);
                        }
                    }
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        inserted.add(rs.getLong(1));
                    }
                }
            }
        }
        return inserted;
    }

    /** The rows of a table matching a condition on two parameters. */
    private static <T> List<T> where(
            java.sql.Connection c, String table, String condition, Object first, Object second, Row<T> row)
            throws SQLException {
        String sql = "SELECT " + String.join(", ", columns(table)) + " FROM " + table + " WHERE " + condition;
        List<T> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, first);
            ps.setObject(2, second);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(row.map(rs));
                }
            }
        }
        return out;
    }

    private synchronized void saveRows(MetadataBatch batch) {
        writes.with(
                "save " + batch.size() + " registrations",
                c -> dialect.inTransaction(c, tx -> {
                    upsertAll(tx, "gateways", batch.gateways(), JdbcMetadataStore::values);
                    upsertAll(tx, "devices", batch.devices(), JdbcMetadataStore::values);
                    upsertAll(tx, "channels", batch.channels(), JdbcMetadataStore::values);
                    return batch.size();
                }));
    }

    private <T> void upsertAll(
            java.sql.Connection c, String table, List<T> rows, java.util.function.Function<T, Object[]> values)
            throws SQLException {
        dialect.upsertAll(c, table, columns(table), rows.stream().map(values).toList());
    }

    @Override
    public synchronized void deleteDocument(String kind, String id) {
        writes.with("delete from documents", c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM documents WHERE id = ?")) {
                ps.setString(1, kind + "/" + id);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public Map<String, String> documents(String kind) {
        return reads.with("read documents", c -> {
            Map<String, String> out = new LinkedHashMap<>();
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT id, body FROM documents WHERE kind = ? ORDER BY id")) {
                ps.setString(1, kind);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.put(rs.getString(1).substring(kind.length() + 1), rs.getString(2));
                    }
                }
            }
            return out;
        });
    }

    @Override
    public List<String> documentKinds() {
        return reads.with("read document kinds", c -> {
            List<String> out = new ArrayList<>();
            try (ResultSet rs = c.createStatement().executeQuery("SELECT DISTINCT kind FROM documents ORDER BY kind")) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        });
    }
}
