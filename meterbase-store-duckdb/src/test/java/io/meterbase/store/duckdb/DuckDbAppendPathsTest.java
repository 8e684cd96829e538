package io.meterbase.store.duckdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterbase.core.model.Reading;
import io.meterbase.core.store.QuarantineEntry;
import io.meterbase.core.store.WriteBatch;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two ways a batch goes into DuckDB: readings of one month straight into the month's table with the appender,
 * anything else through the staging table. Both must land durably and time-major (timestamp, then channel) so
 * that timestamps compress to runs.
 */
class DuckDbAppendPathsTest {

    private static final long T0 = Instant.parse("2026-10-05T10:00:00Z").toEpochMilli();

    @TempDir
    Path dir;

    @Test
    void oneMonthOfReadings_landTimeMajorAndSurviveReopen() throws Exception {
        DuckDbOptions options = new DuckDbOptions(dir, "256MB", 1, 2);
        try (DuckDbStore store = DuckDbStore.open(options)) {
            // direct path: readings only, one month, deliberately out of order
            store.append(new WriteBatch(
                    List.of(
                            new Reading(2, T0 + 1000, 4),
                            new Reading(1, T0 + 1000, 3),
                            new Reading(2, T0, 2),
                            new Reading(1, T0, 1)),
                    List.of(),
                    List.of()));
            // staged path: the same kind of readings with a quarantine row beside them
            store.append(new WriteBatch(
                    List.of(new Reading(2, T0 + 3000, 8), new Reading(1, T0 + 2000, 5), new Reading(2, T0 + 2000, 6)),
                    List.of(new QuarantineEntry(Instant.ofEpochMilli(T0), "test", 7, "unit_mismatch", "bad", "{}")),
                    List.of()));
        }

        try (DuckDbStore store = DuckDbStore.open(options)) {
            assertThat(store.readings(1, T0, T0 + 10_000, 10))
                    .extracting(Reading::value)
                    .containsExactly(1.0, 3.0, 5.0);
            assertThat(store.readings(2, T0, T0 + 10_000, 10))
                    .extracting(Reading::value)
                    .containsExactly(2.0, 4.0, 6.0, 8.0);
            assertThat(store.quarantined(null, 10)).hasSize(1);
        }

        assertThat(storedOrder(options.databaseFile()))
                .containsExactly("1@0", "2@0", "1@1000", "2@1000", "1@2000", "2@2000", "2@3000");
    }

    @Test
    void aBatchSpanningTwoMonths_goesThroughStagingIntoBoth() {
        long november = Instant.parse("2026-11-01T00:00:00Z").toEpochMilli();
        try (DuckDbStore store = DuckDbStore.open(new DuckDbOptions(dir, "256MB", 1, 2))) {
            store.append(new WriteBatch(
                    List.of(new Reading(1, november + 5, 2), new Reading(1, november - 5, 1)), List.of(), List.of()));

            assertThat(store.months()).hasSize(2);
            assertThat(store.readings(1, november - 10, november + 10, 10))
                    .extracting(Reading::value)
                    .containsExactly(1.0, 2.0);
        }
    }

    /** The rows of October's table in storage order, as channel@offset-from-T0. */
    private static List<String> storedOrder(Path file) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + file, readOnly());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT channel_id, ts FROM readings_2026_10 ORDER BY rowid")) {
            while (rs.next()) {
                rows.add(rs.getInt(1) + "@" + (rs.getLong(2) - T0));
            }
        }
        return rows;
    }

    private static java.util.Properties readOnly() {
        java.util.Properties p = new java.util.Properties();
        p.setProperty("duckdb.read_only", "true");
        return p;
    }
}
