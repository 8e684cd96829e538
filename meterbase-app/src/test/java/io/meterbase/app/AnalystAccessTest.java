package io.meterbase.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meterbase.core.ingest.NodeReport;
import io.meterbase.core.ingest.Origin;
import io.meterbase.core.ingest.RawReading;
import io.meterbase.core.ingest.Upload;
import io.meterbase.core.model.Channel;
import io.meterbase.core.model.Customer;
import io.meterbase.core.model.Device;
import io.meterbase.core.registry.Registry;
import io.meterbase.store.contract.PgCluster;
import io.meterbase.store.postgres.PostgresAnalysts;
import io.meterbase.store.postgres.PostgresStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Seed 004's analyst access: a read-only login that sees only its granted customers, from JDBC and pandas. */
class AnalystAccessTest {

    private static final String PASSWORD = "analyst-password-1";

    @Test
    void analyst_seesOnlyGrantedCustomers_throughTablesViewsAndPandas() throws Exception {
        try (PgCluster cluster = PgCluster.start()) {
            MeterbaseConfig config = MeterbaseConfig.defaults()
                    .with("store", "postgres")
                    .with("store.postgres.url", cluster.url("meterbase"))
                    .with("store.postgres.user", PgCluster.USER)
                    .with("store.postgres.password", PgCluster.PASSWORD)
                    .with("http.port", "0")
                    .with("mqtt.enabled", "false")
                    .with("coap.enabled", "false");
            // three days ago: a closed day, which the compaction packs below
            long t0 = Instant.now().minus(java.time.Duration.ofDays(3)).toEpochMilli() / 1000 * 1000;
            YearMonth month = YearMonth.from(Instant.ofEpochMilli(t0).atOffset(ZoneOffset.UTC));
            try (Meterbase server = Meterbase.start(config, Clock.systemUTC())) {
                Registry registry = server.registry();
                Customer ana = registry.createCustomer("Ana", "Flat", null, null, "north", ZoneId.of("UTC"));
                Customer ben = registry.createCustomer("Ben", "House", null, null, "north", ZoneId.of("UTC"));
                upload(server, ana.id(), "plug-a", t0);
                upload(server, ben.id(), "plug-b", t0);
                PostgresAnalysts analysts = ((PostgresStore) server.store()).analysts();
                analysts.grant("alice", PASSWORD, List.of(ana.id()));
                Map<Long, List<Channel>> channels = new HashMap<>();
                List<Device> devices = registry.allDevices();
                devices.forEach(d -> channels.put(d.id(), registry.channels(d.id())));
                List<String> views = analysts.createWideViews(
                        month,
                        List.of(registry.defaultSite(ana.id()), registry.defaultSite(ben.id())),
                        devices,
                        channels);
                assertThat(views).hasSize(2);
                String anaView = views.get(0);
                String benView = views.get(1);
                Set<Integer> anaChannels = new HashSet<>();
                registry.channels(registry.device(ana.id(), "plug-a")
                                .orElseThrow()
                                .id())
                        .forEach(c -> anaChannels.add(c.id()));

                try (Connection alice = DriverManager.getConnection(cluster.url("meterbase"), "alice", PASSWORD)) {
                    assertThat(channelsIn(alice, "readings")).isEqualTo(anaChannels);
                    assertThat(channelsIn(
                                    alice, String.format("readings_%04d_%02d", month.getYear(), month.getMonthValue())))
                            .isEqualTo(anaChannels);
                    assertThat(count(alice, "SELECT count(*) FROM analyst_channels"))
                            .isEqualTo(anaChannels.size());
                    assertThat(count(alice, "SELECT count(*) FROM " + anaView)).isEqualTo(10);
                    assertThat(count(alice, "SELECT count(*) FROM " + benView)).isZero();
                    assertThat(columns(alice, anaView)).containsExactly("dt", "plug_a_p", "plug_a_v", "plug_a_e");
                    assertThatThrownBy(() -> count(alice, "SELECT count(*) FROM devices"))
                            .hasMessageContaining("permission denied");
                    for (String table : List.of("readings_raw", "readings_packed")) {
                        assertThatThrownBy(() -> alice.createStatement().execute("DELETE FROM " + table))
                                .hasMessageContaining("permission denied");
                    }
                }

                String before = pandas(cluster, month, anaView);

                // the same rows, columns and rights once the day is packed (docs/postgres.md, "Compressed history")
                var packed = server.store()
                        .compaction()
                        .orElseThrow()
                        .compact(Instant.now(), java.time.Duration.ofHours(1), line -> {});
                assertThat(packed.readings()).isEqualTo(60);
                try (Connection alice = DriverManager.getConnection(cluster.url("meterbase"), "alice", PASSWORD)) {
                    assertThat(count(alice, "SELECT count(*) FROM readings_raw"))
                            .isZero();
                    assertThat(count(alice, "SELECT count(*) FROM readings_packed"))
                            .isEqualTo(3);
                    assertThat(channelsIn(alice, "readings")).isEqualTo(anaChannels);
                    assertThat(count(alice, "SELECT count(*) FROM " + anaView)).isEqualTo(10);
                    assertThat(count(alice, "SELECT count(*) FROM " + benView)).isZero();
                }
                assertThat(pandas(cluster, month, anaView)).isEqualTo(before);

                analysts.revoke("alice");
                assertThatThrownBy(() -> DriverManager.getConnection(cluster.url("meterbase"), "alice", PASSWORD))
                        .isInstanceOf(SQLException.class);
            }
        }
    }

    private static void upload(Meterbase server, long customer, String node, long t0) throws Exception {
        List<RawReading> rs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            long ts = t0 + i * 60_000L;
            rs.add(new RawReading(null, "active_power", "W", 100 + i, ts, null));
            rs.add(new RawReading(null, "voltage", "V", 230, ts, null));
            rs.add(new RawReading(null, "energy_import", "Wh", 1000 + i, ts, "register"));
        }
        // through the real pipeline, as an upload of the customer's gateway
        var ingest = server.ingestForTests();
        ingest.ingest(
                        Origin.local(customer, "test"),
                        new Upload("gw", List.of(new NodeReport(node, node, null, "fridge", rs))))
                .get(30, TimeUnit.SECONDS);
    }

    private static Set<Integer> channelsIn(Connection c, String table) throws SQLException {
        Set<Integer> out = new HashSet<>();
        try (ResultSet rs = c.createStatement().executeQuery("SELECT DISTINCT channel_id FROM " + table)) {
            while (rs.next()) {
                out.add(rs.getInt(1));
            }
        }
        return out;
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static List<String> columns(Connection c, String view) throws SQLException {
        try (ResultSet rs = c.createStatement().executeQuery("SELECT * FROM " + view + " LIMIT 1")) {
            ResultSetMetaData md = rs.getMetaData();
            List<String> out = new ArrayList<>();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                out.add(md.getColumnName(i));
            }
            return out;
        }
    }

    /** The documented example, run by Debian's python3 with pandas, SQLAlchemy and psycopg2, over TCP. */
    private static String pandas(PgCluster cluster, YearMonth month, String view) throws Exception {
        Path python = Path.of("/usr/bin/python3");
        boolean available = Files.isExecutable(python)
                && new ProcessBuilder(python.toString(), "-c", "import pandas, sqlalchemy, psycopg2")
                                .start()
                                .waitFor()
                        == 0;
        if (!available) {
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException("python3-pandas, python3-sqlalchemy, python3-psycopg2 missing");
            }
            Assumptions.abort("pandas is not installed for /usr/bin/python3 (apt-get install python3-pandas ...)");
        }
        String script = String.join(
                "\n",
                "import pandas as pd, sqlalchemy",
                "engine = sqlalchemy.create_engine('postgresql+psycopg2://alice:" + PASSWORD + "@127.0.0.1:"
                        + cluster.port() + "/meterbase')",
                "month = pd.read_sql_table('"
                        + String.format("readings_%04d_%02d", month.getYear(), month.getMonthValue()) + "', engine)",
                "wide = pd.read_sql_table('" + view + "', engine)",
                "print(len(month), month['channel_id'].nunique(), len(wide), ','.join(wide.columns))",
                "import hashlib",
                "rows = month.sort_values(['channel_id', 'ts']).to_csv(index=False) + wide.to_csv(index=False)",
                "print(hashlib.sha256(rows.encode()).hexdigest())");
        Process p = new ProcessBuilder(python.toString(), "-c", script)
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        assertThat(p.waitFor()).as(out).isZero();
        List<String> lines = out.lines().toList();
        assertThat(lines.get(lines.size() - 2)).isEqualTo("30 3 10 dt,plug_a_p,plug_a_v,plug_a_e");
        return lines.get(lines.size() - 1);
    }
}
