package io.meterbase.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterbase.core.ingest.NodeReport;
import io.meterbase.core.ingest.Origin;
import io.meterbase.core.ingest.RawReading;
import io.meterbase.core.ingest.Upload;
import io.meterbase.core.model.Customer;
import io.meterbase.core.model.Reading;
import io.meterbase.store.contract.PgCluster;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A server on PostgreSQL packs closed days by itself (store.postgres.compact-every), counts it in its metrics, keeps
 * answering the same history, and refuses a re-sent old reading; {@code meterbase compact} packs late readings now.
 */
class CompactionEndToEndTest {

    @TempDir
    Path dir;

    private static long count(String url, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(url, PgCluster.USER, PgCluster.PASSWORD);
                ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void upload(Meterbase server, long customer, long from, int minutes, double offset)
            throws Exception {
        List<RawReading> rs = new ArrayList<>();
        for (int i = 0; i < minutes; i++) {
            long ts = from + i * 60_000L;
            rs.add(new RawReading(null, "active_power", "W", offset + (i % 50) / 10.0, ts, null));
            rs.add(new RawReading(null, "voltage", "V", 230 + (i % 7) / 10.0, ts, null));
        }
        server.ingestForTests()
                .ingest(
                        Origin.local(customer, "test"),
                        new Upload("gw", List.of(new NodeReport("plug-1", "plug-1", null, "fridge", rs))))
                .get(30, TimeUnit.SECONDS);
    }

    @Test
    void closedDaysArePackedByTheServer_andByTheCommand_withTheSameHistory() throws Exception {
        try (PgCluster cluster = PgCluster.start()) {
            String url = cluster.url("meterbase");
            MeterbaseConfig config = MeterbaseConfig.defaults()
                    .with("store", "postgres")
                    .with("store.postgres.url", url)
                    .with("store.postgres.user", PgCluster.USER)
                    .with("store.postgres.password", PgCluster.PASSWORD)
                    .with("store.postgres.compact-every", "PT1S")
                    .with("http.port", "0")
                    .with("mqtt.enabled", "false")
                    .with("coap.enabled", "false");
            long day = (Instant.now().toEpochMilli() / 86_400_000L - 3) * 86_400_000L;
            try (Meterbase server = Meterbase.start(config, Clock.systemUTC())) {
                Customer ana = server.registry().createCustomer("Ana", "Flat", null, null, "north", ZoneId.of("UTC"));
                // GIVEN a day three days ago, and readings of the last minutes
                upload(server, ana.id(), day, 1_440, 100);
                upload(server, ana.id(), Instant.now().toEpochMilli() / 60_000 * 60_000 - 600_000, 10, 300);
                int power = server.registry()
                        .channels(server.registry()
                                .device(ana.id(), "plug-1")
                                .orElseThrow()
                                .id())
                        .get(0)
                        .id();
                List<Reading> before = server.store().readings().readings(power, day, day + 86_400_000L, 5_000);
                assertThat(before).hasSize(1_440);

                // WHEN the server's compaction job has run
                ApiClient api = new ApiClient(server.httpPort());
                long deadline = System.currentTimeMillis() + 30_000;
                while (count(url, "SELECT count(*) FROM readings_packed") < 2
                        && System.currentTimeMillis() < deadline) {
                    Thread.sleep(200);
                }

                // THEN the closed day is packed, today's minutes are raw, the history and the metrics say so
                assertThat(count(url, "SELECT count(*) FROM readings_packed")).isEqualTo(2);
                assertThat(count(url, "SELECT count(*) FROM readings_raw")).isEqualTo(20);
                assertThat(server.store().readings().readings(power, day, day + 86_400_000L, 5_000))
                        .isEqualTo(before);
                String metrics = api.send("GET", "/metrics", null, null).body();
                assertThat(metrics).contains("meterbase_store_compacted_readings_total 2880.0");
                assertThat(metrics).containsPattern("meterbase_store_packed_bytes_total [1-9]");

                // AND an old reading sent again is not stored twice; one the day missed is read at once
                upload(server, ana.id(), day, 1, 100);
                upload(server, ana.id(), day + 30_000, 1, 7);
                assertThat(count(url, "SELECT count(*) FROM readings WHERE channel_id = " + power))
                        .isEqualTo(1_440 + 10 + 1);
                // and the job packs the late ones into their day within a few runs
                String oldRaw = "SELECT count(*) FROM readings_raw WHERE ts < now() - interval '1 day'";
                deadline = System.currentTimeMillis() + 30_000;
                while (count(url, oldRaw) > 0 && System.currentTimeMillis() < deadline) {
                    Thread.sleep(200);
                }
                assertThat(count(url, oldRaw)).isZero();
                assertThat(count(url, "SELECT max(n) FROM readings_packed")).isEqualTo(1_441);
            }

            // AND 'meterbase compact' packs a late reading written while no server runs into its day now
            try (var store =
                    io.meterbase.store.postgres.PostgresStore.open(new io.meterbase.store.postgres.PostgresOptions(
                            url, PgCluster.USER, PgCluster.PASSWORD, 2, false))) {
                int power = (int) count(url, "SELECT min(channel_id) FROM readings");
                store.append(new io.meterbase.core.store.WriteBatch(
                        List.of(new Reading(power, day + 45_000, 8.0)), List.of(), List.of()));
            }
            Path properties = dir.resolve("meterbase.properties");
            Files.writeString(
                    properties,
                    "store=postgres\nstore.postgres.url=" + url + "\nstore.postgres.user=" + PgCluster.USER
                            + "\nstore.postgres.password=" + PgCluster.PASSWORD + "\n");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            CommandLine cli = MeterbaseCli.commandLine();
            cli.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
            java.io.PrintStream stdout = System.out;
            int exit;
            try {
                System.setOut(new java.io.PrintStream(out, true, StandardCharsets.UTF_8));
                exit = cli.execute("compact", "--config", properties.toString(), "--after", "PT1H");
            } finally {
                System.setOut(stdout);
            }
            String printed = out.toString(StandardCharsets.UTF_8);
            assertThat(exit).as(printed).isZero();
            assertThat(printed).contains("Packed 1 readings").contains("bytes a reading");
            assertThat(count(url, "SELECT count(*) FROM readings_raw WHERE ts < now() - interval '1 day'"))
                    .isZero();
            assertThat(count(url, "SELECT count(*) FROM readings")).isEqualTo(2 * 1_440 + 20 + 2 + 1);
            assertThat(count(url, "SELECT max(n) FROM readings_packed")).isEqualTo(1_442);
        }
    }
}
