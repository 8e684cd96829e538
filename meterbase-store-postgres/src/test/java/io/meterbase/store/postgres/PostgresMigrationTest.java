package io.meterbase.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meterbase.core.store.ReadingKey;
import io.meterbase.core.store.StoreException;
import io.meterbase.store.contract.PgCluster;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

class PostgresMigrationTest {

    @Test
    void outdatedSchema_isRefusedUntilMigrated() throws Exception {
        try (PgCluster cluster = PgCluster.start()) {
            PostgresOptions noMigrate =
                    new PostgresOptions(cluster.url("meterbase"), PgCluster.USER, PgCluster.PASSWORD, 2, false);

            assertThatThrownBy(() -> PostgresStore.open(noMigrate))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("meterbase migrate");

            assertThat(PostgresStore.migrate(noMigrate)).isEqualTo(12);
            assertThat(PostgresStore.migrate(noMigrate)).isZero();
            try (PostgresStore store = PostgresStore.open(noMigrate)) {
                assertThat(store.months()).isEmpty();
            }
        }
    }

    @Test
    void readingsStoredTwiceByAnOlderVersion_areKeptOnce_andTheirHoursRecomputed() throws Exception {
        try (PgCluster cluster = PgCluster.start()) {
            // GIVEN a database of the version before readings were unique, where two nodes stored one reading twice
            String url = cluster.url("meterbase");
            Flyway.configure()
                    .dataSource(url, PgCluster.USER, PgCluster.PASSWORD)
                    .locations("classpath:db/migration/postgres")
                    .target("6")
                    .load()
                    .migrate();
            try (Connection c = DriverManager.getConnection(url, PgCluster.USER, PgCluster.PASSWORD);
                    Statement s = c.createStatement()) {
                s.execute("CREATE TABLE readings_2026_01 PARTITION OF readings"
                        + " FOR VALUES FROM ('2026-01-01 00:00Z') TO ('2026-02-01 00:00Z')");
                s.execute("INSERT INTO readings VALUES ('2026-01-05 10:15Z', 5, 7, 0), ('2026-01-05 10:15Z', 5, 7, 0),"
                        + " ('2026-01-05 10:16Z', 6, 7, 0), ('2026-01-05 11:00Z', 1, 8, 0)");
                // an analyst's wide view of that month, as 'analyst wide-views' made them
                s.execute("CREATE VIEW wide_site_1_2026_01 WITH (security_invoker = true) AS SELECT ts AS dt,"
                        + " max(value) FILTER (WHERE channel_id = 7) AS plug_p FROM readings_2026_01 GROUP BY ts");
            }
            PostgresOptions options = new PostgresOptions(url, PgCluster.USER, PgCluster.PASSWORD, 2, false);

            // WHEN it is migrated
            assertThat(PostgresStore.migrate(options)).isEqualTo(6);

            // THEN one copy is left, a re-sent reading is refused by the unique key, and the hour is marked stale
            try (Connection c = DriverManager.getConnection(url, PgCluster.USER, PgCluster.PASSWORD);
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT count(*), count(DISTINCT (channel_id, ts)) FROM readings")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(3);
                assertThat(rs.getLong(2)).isEqualTo(3);
                assertThatThrownBy(() -> s.execute("INSERT INTO readings_raw VALUES ('2026-01-05 10:16Z', 6, 7, 0)"))
                        .hasMessageContaining("readings_");
                // the wide view reads the month's view, which holds its packed days too
                try (ResultSet view = s.executeQuery("SELECT pg_get_viewdef('wide_site_1_2026_01')")) {
                    view.next();
                    assertThat(view.getString(1)).contains("readings_2026_01").doesNotContain("readings_raw");
                }
                // the month written before the history could be packed is renamed, with its packed part and view
                try (ResultSet month = s.executeQuery("SELECT count(*) FROM readings_2026_01 WHERE channel_id = 7")) {
                    month.next();
                    assertThat(month.getLong(1)).isEqualTo(2);
                }
            }
            try (PostgresStore store = PostgresStore.open(options)) {
                assertThat(store.readings().staleHours())
                        .containsExactly(new ReadingKey(
                                7,
                                java.time.Instant.parse("2026-01-05T10:00:00Z").toEpochMilli()));
            }
        }
    }

    @Test
    void wrongCredentials_failWithTheReason() throws Exception {
        try (PgCluster cluster = PgCluster.start()) {
            PostgresOptions wrong = new PostgresOptions(cluster.url("meterbase"), PgCluster.USER, "nope", 2, true);

            assertThatThrownBy(() -> PostgresStore.open(wrong))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("password authentication failed");
        }
    }
}
