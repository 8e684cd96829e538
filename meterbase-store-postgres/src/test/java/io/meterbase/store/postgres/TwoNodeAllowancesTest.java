package io.meterbase.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterbase.core.store.SharedAllowances;
import io.meterbase.core.store.SharedAllowances.Spent;
import io.meterbase.store.contract.PgCluster;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Two nodes on one database tell each other what they spent of their rate limits, each record once. */
class TwoNodeAllowancesTest {

    @Test
    void whatOneNodeSpent_reachesTheOtherOnce_andNeverComesBackToItself() throws Exception {
        try (PgCluster cluster = PgCluster.start();
                PostgresStore one = node(cluster, true);
                PostgresStore two = node(cluster, false)) {
            SharedAllowances a = one.allowances();
            SharedAllowances b = two.allowances();

            // WHEN node 1 spent 100 readings of customer 7 and node 2 spent 3 new devices of customer 7
            assertThat(a.exchange(List.of(new Spent("readings_per_customer", "customer 7", 100))))
                    .isEmpty();
            List<Spent> toTwo = b.exchange(List.of(new Spent("new_devices_per_customer", "customer 7", 3)));

            // THEN node 2 learns node 1's spending, once
            assertThat(toTwo).containsExactly(new Spent("readings_per_customer", "customer 7", 100));
            assertThat(b.exchange(List.of())).isEmpty();
            // and node 1 learns node 2's, once, never its own
            assertThat(a.exchange(List.of())).containsExactly(new Spent("new_devices_per_customer", "customer 7", 3));
            assertThat(a.exchange(List.of())).isEmpty();
        }
    }

    private static PostgresStore node(PgCluster cluster, boolean migrate) {
        return PostgresStore.open(
                new PostgresOptions(cluster.url("meterbase"), PgCluster.USER, PgCluster.PASSWORD, 4, migrate));
    }
}
