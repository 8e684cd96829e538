package io.meterbase.store.postgres;

import io.meterbase.core.store.Compaction;
import io.meterbase.core.store.ReadingStore;
import io.meterbase.core.store.Store;
import io.meterbase.store.contract.PgCluster;
import io.meterbase.store.contract.StoreContract;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The store contract on PostgreSQL with the compaction run at random points: before any call to the readings half
 * of the store, every second time on average, every closed day is packed (the contract's readings are of October and
 * November 2026, closed days). Each call must answer as if nothing had been packed. The seed is printed; {@code
 * -Dmeterbase.compaction.seed=N} runs one again.
 */
class CompactingStoreContractTest extends StoreContract {

    private static PgCluster cluster;
    private static final Map<Path, String> DATABASES = new HashMap<>();
    private static final long SEED = Long.getLong("meterbase.compaction.seed", System.nanoTime());
    private static final Random RANDOM = new Random(SEED);
    /** Readings packed over the class: the compaction did work, or this suite would test nothing more. */
    private static final java.util.concurrent.atomic.AtomicLong PACKED = new java.util.concurrent.atomic.AtomicLong();

    @BeforeAll
    static void startCluster() throws Exception {
        System.out.println("compaction at random points, seed " + SEED);
        cluster = PgCluster.start();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        cluster.close();
        System.out.println("readings packed while the contract ran: " + PACKED.get());
        org.assertj.core.api.Assertions.assertThat(PACKED.get()).isPositive();
    }

    @Override
    protected Store open(Path dir) {
        String db = DATABASES.computeIfAbsent(dir, d -> {
            String name = "compacting_" + DATABASES.size();
            cluster.createDatabase(name);
            return name;
        });
        PostgresStore store =
                PostgresStore.open(new PostgresOptions(cluster.url(db), PgCluster.USER, PgCluster.PASSWORD, 4, true));
        // small parts, so that one day is packed in several transactions
        Compaction compaction = store.compaction(3);
        ReadingStore readings = (ReadingStore) Proxy.newProxyInstance(
                ReadingStore.class.getClassLoader(), new Class<?>[] {ReadingStore.class}, (proxy, method, args) -> {
                    if (RANDOM.nextBoolean()) {
                        PACKED.addAndGet(compaction
                                .compact(Instant.now(), Duration.ofHours(1), line -> {})
                                .readings());
                    }
                    return call(method, store.readings(), args);
                });
        InvocationHandler whole =
                (proxy, method, args) -> method.getName().equals("readings") && method.getParameterCount() == 0
                        ? readings
                        : call(method, store, args);
        return (Store) Proxy.newProxyInstance(Store.class.getClassLoader(), new Class<?>[] {Store.class}, whole);
    }

    private static Object call(java.lang.reflect.Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
