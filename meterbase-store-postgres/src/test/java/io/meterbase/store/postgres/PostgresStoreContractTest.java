package io.meterbase.store.postgres;

import io.meterbase.core.store.Store;
import io.meterbase.store.contract.PgCluster;
import io.meterbase.store.contract.StoreContract;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The store contract, run against PostgreSQL: a fresh database per test, in a cluster started for the class. */
class PostgresStoreContractTest extends StoreContract {

    private static PgCluster cluster;
    private static final Map<Path, String> DATABASES = new HashMap<>();

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = PgCluster.start();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        cluster.close();
    }

    @Override
    protected Store open(Path dir) {
        String db = DATABASES.computeIfAbsent(dir, d -> {
            String name = "contract_" + DATABASES.size();
            cluster.createDatabase(name);
            return name;
        });
        return PostgresStore.open(new PostgresOptions(cluster.url(db), PgCluster.USER, PgCluster.PASSWORD, 4, true));
    }
}
