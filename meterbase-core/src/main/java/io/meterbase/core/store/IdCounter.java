package io.meterbase.core.store;

import java.util.EnumMap;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * New ids for a store that only one process opens (the embedded file, memory): counted on from the largest stored
 * id of each kind, read the first time one is asked for. A store that several processes share hands out ids from a
 * database sequence instead.
 */
public final class IdCounter {

    private final ToLongFunction<IdKind> largestStored;
    private final Map<IdKind, Long> next = new EnumMap<>(IdKind.class);

    public IdCounter(ToLongFunction<IdKind> largestStored) {
        this.largestStored = largestStored;
    }

    /** {@code count} ids of the kind, never handed out before by this counter nor stored. */
    public synchronized long[] take(IdKind kind, int count) {
        long first = next.computeIfAbsent(kind, k -> largestStored.applyAsLong(k) + 1);
        next.put(kind, first + count);
        long[] ids = new long[count];
        for (int i = 0; i < count; i++) {
            ids[i] = first + i;
        }
        return ids;
    }
}
