package io.meterbase.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterbase.core.store.Leases;
import io.meterbase.store.contract.PgCluster;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Work that must run once for all nodes on one database: a lease is held by one node at a time and moves when that
 * node goes away; the first start's work runs on one node at a time, the others waiting for it.
 */
class TwoNodeLeasesTest {

    @Test
    void aLeaseIsHeldByOneNode_andMovesWhenThatNodeStops() throws Exception {
        try (PgCluster cluster = PgCluster.start();
                PostgresStore two = node(cluster, true)) {
            PostgresStore one = node(cluster, false);
            Leases a = one.leases();
            Leases b = two.leases();

            assertThat(a.holds("retention")).isTrue();
            assertThat(b.holds("retention")).isFalse();
            assertThat(a.holds("retention")).isTrue(); // kept, asked again
            assertThat(b.holds("analytics")).isTrue(); // another work's lease is free
            assertThat(a.holds("analytics")).isFalse();

            one.close(); // the node stops (a killed node's session ends the same way)

            assertThat(b.holds("retention")).isTrue();
        }
    }

    @Test
    void theFirstStartsWork_runsOnOneNodeAtATime() throws Exception {
        try (PgCluster cluster = PgCluster.start();
                PostgresStore one = node(cluster, true);
                PostgresStore two = node(cluster, false)) {
            AtomicInteger inside = new AtomicInteger();
            AtomicInteger most = new AtomicInteger();
            AtomicInteger made = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(4);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Boolean>> starts = new ArrayList<>();
            try {
                for (PostgresStore node : List.of(one, two, one, two)) {
                    starts.add(pool.submit(() -> {
                        go.await();
                        return node.leases().exclusively("first start", () -> {
                            most.accumulateAndGet(inside.incrementAndGet(), Math::max);
                            try {
                                Thread.sleep(100);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            boolean first = made.get() == 0; // as "no operator key yet", read inside the lock
                            if (first) {
                                made.incrementAndGet();
                            }
                            inside.decrementAndGet();
                            return first;
                        });
                    }));
                }
                go.countDown();
                int firsts = 0;
                for (Future<Boolean> f : starts) {
                    firsts += f.get() ? 1 : 0;
                }
                assertThat(most.get()).isEqualTo(1);
                assertThat(firsts).isEqualTo(1);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    private static PostgresStore node(PgCluster cluster, boolean migrate) {
        return PostgresStore.open(
                new PostgresOptions(cluster.url("meterbase"), PgCluster.USER, PgCluster.PASSWORD, 4, migrate));
    }
}
