package io.meterbase.core.store;

import java.util.List;

/**
 * What the nodes sharing a store spent of their rate limits, so that a limit holds for all of them together rather
 * than for each node: every node tells what it spent since it last told, and learns what the others spent. A limit
 * is then exceeded by at most what the other nodes allowed between two exchanges (about a second). A store that
 * only one process opens has nobody to tell (see {@link #ALONE}).
 */
public interface SharedAllowances {

    /** What was spent of one key of one limit (e.g. limit {@code readings_per_customer}, key {@code customer 7}). */
    record Spent(String limit, String key, double amount) {}

    /** The allowances of a store that only one process opens: nothing to tell, nothing spent elsewhere. */
    SharedAllowances ALONE = spentHere -> List.of();

    /**
     * Records what this node spent since its last exchange and returns what the other nodes recorded since then
     * (each of their records once).
     *
     * @throws StoreException when the store cannot be asked (what this node spent is then not told)
     */
    List<Spent> exchange(List<Spent> spentHere);
}
