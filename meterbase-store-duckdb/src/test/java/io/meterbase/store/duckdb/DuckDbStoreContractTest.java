package io.meterbase.store.duckdb;

import io.meterbase.core.store.Store;
import io.meterbase.store.contract.StoreContract;
import java.nio.file.Path;

/** The store contract, run against the embedded DuckDB store. */
class DuckDbStoreContractTest extends StoreContract {

    @Override
    protected Store open(Path dir) {
        return DuckDbStore.open(new DuckDbOptions(dir, "256MB", 1, 2));
    }
}
