package io.meterbase.core.store;

import java.util.function.Supplier;

/**
 * Work that must run on one node at a time when several nodes share a store: periodic jobs (retention, analytics,
 * schedules, demand-response events, silence checks) run where {@link #holds} says so, and the first start of an
 * empty database runs {@link #exclusively}. A node keeps a lease until it stops or loses the store; then the next
 * node to ask takes it. A store that only one process opens grants every lease (see {@link #ALONE}).
 */
public interface Leases extends AutoCloseable {

    /** The leases of a store that only one process opens: this node holds them all. */
    Leases ALONE = new Leases() {
        @Override
        public boolean holds(String work) {
            return true;
        }

        @Override
        public <T> T exclusively(String work, Supplier<T> body) {
            return body.get();
        }

        @Override
        public void close() {}
    };

    /**
     * Whether this node holds the lease of {@code work} now, taking it when no node holds it. False also when the
     * store cannot be asked (the work waits for its next turn rather than risk running twice).
     */
    boolean holds(String work);

    /** Gives up the lease of {@code work} if this node holds it, so that another node may take it. */
    default void release(String work) {}

    /**
     * Runs {@code body} while no other node runs a body under the same name, waiting for one that does: for the
     * first start of an empty database (first operator key, default rules), when several nodes start together.
     *
     * @throws StoreException when the store cannot be asked
     */
    <T> T exclusively(String work, Supplier<T> body);

    /** Gives every lease up (the node stops). */
    @Override
    void close();
}
