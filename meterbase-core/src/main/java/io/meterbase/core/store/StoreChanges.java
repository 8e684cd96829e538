package io.meterbase.core.store;

import java.util.Map;
import java.util.Set;

/**
 * What other nodes changed in a store that several nodes share, as the store told this node: ids of metadata rows
 * by table ({@code customers}, {@code sites}, {@code gateways}, {@code devices}, {@code channels}, {@code
 * api_keys}) and ids of documents ({@code kind/id}), written or deleted. {@code missed}: the store could not tell
 * for a while (its connection broke, or the node just started listening), so anything may have changed and what a
 * node keeps in memory is to be read again.
 *
 * <p>A node is told of its own changes too; taking them in again changes nothing.
 */
public record StoreChanges(Map<String, Set<Long>> rows, Set<String> documents, boolean missed) {

    public StoreChanges {
        rows = Map.copyOf(rows);
        documents = Set.copyOf(documents);
    }

    /** Anything may have changed. */
    public static StoreChanges everything() {
        return new StoreChanges(Map.of(), Set.of(), true);
    }

    /** The ids of the rows of a table that changed. */
    public Set<Long> ids(String table) {
        return rows.getOrDefault(table, Set.of());
    }

    /** The ids (without their kind) of the documents of a kind that changed. */
    public Set<String> documentIds(String kind) {
        String prefix = kind + "/";
        Set<String> out = new java.util.HashSet<>();
        for (String d : documents) {
            if (d.startsWith(prefix)) {
                out.add(d.substring(prefix.length()));
            }
        }
        return out;
    }
}
