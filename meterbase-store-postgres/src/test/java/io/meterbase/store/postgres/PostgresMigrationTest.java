package io.meterbase.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meterbase.core.store.StoreException;
import io.meterbase.store.contract.PgCluster;
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

            assertThat(PostgresStore.migrate(noMigrate)).isEqualTo(6);
            assertThat(PostgresStore.migrate(noMigrate)).isZero();
            try (PostgresStore store = PostgresStore.open(noMigrate)) {
                assertThat(store.months()).isEmpty();
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
