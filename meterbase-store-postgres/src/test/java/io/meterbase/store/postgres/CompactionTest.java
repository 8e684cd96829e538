package io.meterbase.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterbase.core.model.Quality;
import io.meterbase.core.model.Reading;
import io.meterbase.core.store.Compaction;
import io.meterbase.core.store.ReadingKey;
import io.meterbase.core.store.WriteBatch;
import io.meterbase.store.contract.PgCluster;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Packing closed days in PostgreSQL: lossless, one history for every read, late readings, a kill midway. */
class CompactionTest {

    private static final long DAY = 86_400_000L;
    private static final long NOV_3 = Instant.parse("2026-11-03T00:00:00Z").toEpochMilli();
    private static PgCluster cluster;
    private static int databases;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = PgCluster.start();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        cluster.close();
    }

    private static String database() {
        String name = "compaction_" + databases++;
        cluster.createDatabase(name);
        return cluster.url(name);
    }

    private static PostgresStore open(String url) {
        return PostgresStore.open(new PostgresOptions(url, PgCluster.USER, PgCluster.PASSWORD, 4, true));
    }

    private static Compaction.Report compact(PostgresStore store) {
        return store.compaction().orElseThrow().compact(Instant.now(), Duration.ofHours(1), line -> {});
    }

    private static void append(PostgresStore store, List<Reading> readings) {
        store.append(new WriteBatch(readings, List.of(), List.of()));
    }

    /** What analysts read: the month's view, every column as PostgreSQL prints it (ts, value, channel, quality). */
    private static List<String> monthView(String url) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url, PgCluster.USER, PgCluster.PASSWORD);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT ts::text, value::text, channel_id,"
                        + " quality FROM readings_2026_11 ORDER BY channel_id, ts")) {
            while (rs.next()) {
                rows.add(rs.getString(1) + " " + rs.getString(2) + " " + rs.getInt(3) + " " + rs.getInt(4));
            }
        }
        return rows;
    }

    private static long count(String url, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(url, PgCluster.USER, PgCluster.PASSWORD);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void everyValueComesBackBitForBit_throughTheStoreAndTheAnalystsView() throws Exception {
        String url = database();
        try (PostgresStore store = open(url)) {
            // GIVEN values that decimals cannot hold, and some they can, at irregular times with mixed qualities
            double[] odd = {0.1 + 0.2, -0.0, 1e-9, 123456.789, 1e15, -42.5, Double.MIN_VALUE, Double.MAX_VALUE, 7};
            List<Reading> readings = new ArrayList<>();
            for (int i = 0; i < odd.length; i++) {
                readings.add(new Reading(1, NOV_3 + i * 997L, odd[i], i % 3 == 0 ? Quality.SUSPECT : Quality.GOOD));
            }
            Random random = new Random(7);
            for (int i = 0; i < 1_440; i++) { // a plug's minute power at 0.1 W, a voltage at 0.1 V, a current at 1 mA
                readings.add(new Reading(2, NOV_3 + i * 60_000L, Math.round(random.nextDouble() * 30_000) / 10.0));
                readings.add(
                        new Reading(3, NOV_3 + i * 60_000L + 13, 230 + Math.round(random.nextGaussian() * 8) / 10.0));
                readings.add(new Reading(4, NOV_3 + i * 60_000L, Math.round(random.nextDouble() * 13_000) / 1000.0));
            }
            for (int i = 0; i < 200; i++) { // unevenly spaced: deltas, not one step
                readings.add(new Reading(6, NOV_3 + (long) i * i * 1_000 + 7, i * 1.5));
            }
            append(store, readings);
            List<String> view = monthView(url);
            List<List<Reading>> before = new ArrayList<>();
            for (int ch = 1; ch <= 6; ch++) {
                before.add(store.readings(ch, NOV_3 - DAY, NOV_3 + 2 * DAY, 10_000));
            }

            // WHEN the day is packed
            Compaction.Report report = compact(store);

            // THEN nothing is raw any more, and every read gives the very same readings
            assertThat(report.readings()).isEqualTo(readings.size());
            assertThat(report.channelDays()).isEqualTo(5);
            assertThat(count(url, "SELECT count(*) FROM readings_raw")).isZero();
            assertThat(count(url, "SELECT count(*) FROM readings_packed")).isEqualTo(5);
            assertThat(count(url, "SELECT count(*) FROM readings_packed WHERE deltas IS NOT NULL"))
                    .isEqualTo(1);
            for (int ch = 1; ch <= 6; ch++) {
                assertThat(store.readings(ch, NOV_3 - DAY, NOV_3 + 2 * DAY, 10_000))
                        .isEqualTo(before.get(ch - 1));
            }
            assertThat(store.readings(1, NOV_3, NOV_3 + DAY, 100).get(1).value())
                    .isEqualTo(-0.0);
            assertThat(monthView(url)).isEqualTo(view);
            assertThat(store.readingBefore(2, NOV_3 + 60_000))
                    .contains(before.get(1).get(0));
            assertThat(store.readingAfter(2, NOV_3)).contains(before.get(1).get(1));
            assertThat(store.readingAfter(2, NOV_3 + DAY)).isEmpty();
            assertThat(store.newestTimestamps())
                    .containsEntry(2, NOV_3 + 1_439 * 60_000L)
                    .containsEntry(6, NOV_3 + 199L * 199 * 1_000 + 7);
            assertThat(store.existing(List.of(2, 3), NOV_3, NOV_3 + 60_000)).hasSize(3);
            assertThat(store.bucketsFromReadings(2, NOV_3, NOV_3 + DAY, 3_600_000L))
                    .hasSize(24);
            assertThat(store.stats().readings()).isEqualTo(readings.size());
        }
    }

    @Test
    void aMonthOfAPlugsMinuteData_takesUnderEightBytesAReading_everyTableAndIndexCounted() throws Exception {
        String url = database();
        try (PostgresStore store = open(url)) {
            // GIVEN a plug's power (0.1 W), voltage (0.1 V), current (mA) and power factor (0.01), every minute
            Random random = new Random(11);
            long first = Instant.parse("2026-10-01T00:00:00Z").toEpochMilli();
            for (int d = 0; d < 31; d++) {
                List<Reading> day = new ArrayList<>();
                for (int m = 0; m < 1_440; m++) {
                    long ts = first + d * DAY + m * 60_000L;
                    double watts =
                            Math.round((800 + 700 * Math.sin(m / 200.0) + random.nextGaussian() * 20) * 10) / 10.0;
                    day.add(new Reading(1, ts, watts));
                    day.add(new Reading(2, ts, Math.round((230 + random.nextGaussian() * 2) * 10) / 10.0));
                    day.add(new Reading(3, ts, Math.round(watts / 230 * 1000) / 1000.0));
                    day.add(new Reading(4, ts, Math.round((0.9 + random.nextDouble() * 0.09) * 100) / 100.0));
                }
                append(store, day);
            }
            double raw = store.stats().bytesPerReading();

            // WHEN its days are packed
            compact(store);

            // THEN the month takes under 8 bytes a reading (raw rows took over 80), tables, TOAST and indexes counted
            double packed = store.stats().bytesPerReading();
            System.out.printf("a month of a plug's minute data: %.2f bytes/reading raw, %.2f packed%n", raw, packed);
            assertThat(raw).isGreaterThan(80);
            assertThat(packed).isLessThan(8);
            assertThat(store.stats().readings()).isEqualTo(31L * 1_440 * 4);
        }
    }

    @Test
    void aMonthOfQuarterHourMeterData_takesUnderEightBytesAReading() throws Exception {
        String url = database();
        try (PostgresStore store = open(url)) {
            // GIVEN 50 of a utility's meters every 15 minutes for a month: import register (Wh), power (W) and
            // voltage (0.1 V) each (enough meters that a month's fixed pages do not count)
            Random random = new Random(5);
            long first = Instant.parse("2026-10-01T00:00:00Z").toEpochMilli();
            long[] registers = new long[50];
            for (int d = 0; d < 31; d++) {
                List<Reading> day = new ArrayList<>();
                for (int m = 0; m < registers.length; m++) {
                    for (int q = 0; q < 96; q++) {
                        long ts = first + d * DAY + q * 900_000L;
                        int watts = 200 + random.nextInt(2_500);
                        registers[m] += watts / 4;
                        day.add(new Reading(3 * m + 1, ts, 1_234_567 + registers[m]));
                        day.add(new Reading(3 * m + 2, ts, watts));
                        day.add(new Reading(3 * m + 3, ts, Math.round((230 + random.nextGaussian() * 2) * 10) / 10.0));
                    }
                }
                append(store, day);
            }

            // WHEN its days are packed
            compact(store);

            // THEN under 8 bytes a reading, every table and index counted: 96 readings a day are too few for
            // PostgreSQL to compress, so evenly spaced times take no room at all
            double packed = store.stats().bytesPerReading();
            System.out.printf("a month of a meter's quarter-hour data: %.2f bytes/reading packed%n", packed);
            assertThat(packed).isLessThan(8);
            assertThat(store.stats().readings()).isEqualTo(31L * 96 * 3 * 50);
            assertThat(store.readings(1, first, first + DAY, 1_000)).hasSize(96);
        }
    }

    @Test
    void lateReadings_ofAPackedDay_areSeenAtOnce_storedOnce_andPackedInto() throws Exception {
        String url = database();
        try (PostgresStore store = open(url)) {
            List<Reading> day = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                day.add(new Reading(5, NOV_3 + i * 60_000L, i));
            }
            append(store, day);
            compact(store);

            // WHEN an old reading is sent again, and one the day missed arrives late
            Reading resent = day.get(10);
            Reading late = new Reading(5, NOV_3 + 10 * 60_000L + 30_000, 10.5);
            assertThat(store.appendNew(new WriteBatch(List.of(resent, late), List.of(), List.of())))
                    .containsExactly(new ReadingKey(5, resent.timestamp()));

            // THEN the re-sent one is not stored twice, the late one is read at once, in its place
            assertThat(store.readings(5, NOV_3, NOV_3 + DAY, 1_000))
                    .hasSize(101)
                    .element(11)
                    .isEqualTo(late);
            assertThat(store.existing(List.of(5), NOV_3, NOV_3 + DAY)).hasSize(101);

            // AND the next compaction packs it into the day's row
            Compaction.Report again = compact(store);
            assertThat(again.readings()).isEqualTo(1);
            assertThat(count(url, "SELECT count(*) FROM readings_raw")).isZero();
            assertThat(count(url, "SELECT n FROM readings_packed")).isEqualTo(101);
            assertThat(store.readings(5, NOV_3, NOV_3 + DAY, 1_000))
                    .hasSize(101)
                    .element(11)
                    .isEqualTo(late);
        }
    }

    @Test
    void aLateReadingCommittedWhileItsDayIsBeingPacked_isPackedByTheNextRun() throws Exception {
        String url = database();
        try (PostgresStore store = open(url)) {
            // GIVEN a packed day that got a late reading since (so it is marked for the next run)
            List<Reading> day = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                day.add(new Reading(5, NOV_3 + i * 60_000L, i));
            }
            append(store, day);
            compact(store);
            append(store, List.of(new Reading(5, NOV_3 + 15_000, 0.5)));

            // AND a writer of another late reading of that day, in its transaction as the store writes one: the
            // day's shared lock, its mark renewed, the reading in
            try (Connection writer = DriverManager.getConnection(url, PgCluster.USER, PgCluster.PASSWORD)) {
                writer.setAutoCommit(false);
                try (Statement s = writer.createStatement()) {
                    s.executeQuery("SELECT pg_advisory_xact_lock_shared(" + PgCompaction.DAY_LOCK + ", " + NOV_3 / DAY
                                    + ")")
                            .close();
                    s.executeUpdate("INSERT INTO compaction_pending VALUES ('2026-11-03',"
                            + " nextval('compaction_pending_seq')) ON CONFLICT (day) DO UPDATE"
                            + " SET seq = nextval('compaction_pending_seq')");
                }

                // WHEN the compaction starts on the day while that writer has not committed
                var run = java.util.concurrent.CompletableFuture.supplyAsync(() -> compact(store));
                long deadline = System.currentTimeMillis() + 20_000;
                while (count(
                                url,
                                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                                        + " AND classid = " + PgCompaction.DAY_LOCK + " AND objid = " + NOV_3 / DAY)
                        == 0) {
                    assertThat(System.currentTimeMillis())
                            .as("the compaction waits for the day")
                            .isLessThan(deadline);
                    Thread.sleep(20);
                }
                try (Statement s = writer.createStatement()) {
                    s.executeUpdate("INSERT INTO readings_raw VALUES ('2026-11-03 00:00:45Z', 0.75, 5, 0)");
                }
                writer.commit();
                assertThat(run.get(30, TimeUnit.SECONDS).readings()).isEqualTo(1);
            }

            // THEN the writer's reading, which that run could not see, is still marked, and the next run packs it
            assertThat(count(url, "SELECT count(*) FROM readings_raw")).isEqualTo(1);
            assertThat(count(url, "SELECT count(*) FROM compaction_pending")).isEqualTo(1);
            assertThat(compact(store).readings()).isEqualTo(1);
            assertThat(count(url, "SELECT count(*) FROM readings_raw")).isZero();
            assertThat(count(url, "SELECT count(*) FROM compaction_pending")).isZero();
            assertThat(store.readings(5, NOV_3, NOV_3 + DAY, 1_000)).hasSize(102);
        }
    }

    @Test
    void aCompactionKilledMidway_losesAndDoublesNothing_andTheNextOneFinishes() throws Exception {
        String url = database();
        int channels = 40;
        int days = 6;
        try (PostgresStore store = open(url)) {
            List<Reading> batch = new ArrayList<>();
            for (int d = 0; d < days; d++) {
                for (int ch = 1; ch <= channels; ch++) {
                    for (int m = 0; m < 1_440; m++) {
                        batch.add(new Reading(ch, NOV_3 + d * DAY + m * 60_000L, (ch * 7 + m) % 500 / 10.0));
                    }
                }
                append(store, batch);
                batch.clear();
            }
        }
        long total = (long) channels * days * 1_440;
        String checksum =
                "SELECT count(*), count(DISTINCT (channel_id, ts)), sum(round(value * 10)::bigint * channel_id) FROM readings";
        double sum = sumOf(url, checksum);

        // GIVEN a compaction in another process, killed (SIGKILL) once it has packed a day and is in the next
        Process child = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        CompactionChild.class.getName(),
                        url,
                        PgCluster.USER,
                        PgCluster.PASSWORD)
                .redirectErrorStream(true)
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null && !line.contains("readings of")) {
            // its start-up lines
        }
        assertThat(line).as("the child packed a first day").isNotNull();
        child.destroyForcibly();
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();

        // THEN every reading is there once, with its value: some packed, the rest still raw
        assertThat(count(url, "SELECT count(*) FROM readings")).isEqualTo(total);
        assertThat(count(url, "SELECT count(DISTINCT (channel_id, ts)) FROM readings"))
                .isEqualTo(total);
        assertThat(sumOf(url, checksum)).isEqualTo(sum);
        assertThat(count(url, "SELECT count(*) FROM readings_packed")).isPositive();
        assertThat(count(url, "SELECT count(*) FROM readings_raw")).isPositive();

        // AND the next compaction finishes the work
        try (PostgresStore store = open(url)) {
            compact(store);
            assertThat(count(url, "SELECT count(*) FROM readings_raw")).isZero();
            assertThat(count(url, "SELECT count(*) FROM readings_packed")).isEqualTo((long) channels * days);
            assertThat(store.stats().readings()).isEqualTo(total);
        }
        assertThat(sumOf(url, checksum)).isEqualTo(sum);
    }

    private static double sumOf(String url, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(url, PgCluster.USER, PgCluster.PASSWORD);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(rs.getLong(2));
            return rs.getDouble(3);
        }
    }
}
