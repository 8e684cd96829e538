package io.meterbase.store.contract;

import io.meterbase.core.store.Store;
import io.meterbase.core.store.memory.MemoryStore;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The store contract, run against the store in memory. Opening it again on the same directory opens it on the same
 * data, as a database store opens its files again.
 */
class MemoryStoreContractTest extends StoreContract {

    private final Map<Path, MemoryStore.Data> byDirectory = new HashMap<>();

    @Override
    protected Store open(Path dir) {
        return MemoryStore.open(
                byDirectory.computeIfAbsent(dir, d -> MemoryStore.open().data()));
    }
}
