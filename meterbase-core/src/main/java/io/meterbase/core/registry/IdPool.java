package io.meterbase.core.registry;

import io.meterbase.core.store.IdKind;
import io.meterbase.core.store.MetadataStore;
import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.Map;

/**
 * Ids reserved from the store a block at a time, so that registering many devices costs a few round trips: every
 * id is the store's (a database sequence where several nodes share it), never a node's own count. Ids of a block
 * not used when the node stops are skipped.
 */
final class IdPool {

    static final int BLOCK = 64;

    private final MetadataStore store;
    private final Map<IdKind, ArrayDeque<Long>> reserved = new EnumMap<>(IdKind.class);

    IdPool(MetadataStore store) {
        this.store = store;
    }

    /**
     * The next id of a kind.
     *
     * @throws io.meterbase.core.store.StoreException when the store cannot reserve more
     */
    synchronized long next(IdKind kind) {
        ArrayDeque<Long> ids = reserved.computeIfAbsent(kind, k -> new ArrayDeque<>());
        if (ids.isEmpty()) {
            for (long id : store.newIds(kind, BLOCK)) {
                ids.add(id);
            }
        }
        return ids.removeFirst();
    }
}
