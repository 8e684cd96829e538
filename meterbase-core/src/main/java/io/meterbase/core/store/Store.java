package io.meterbase.core.store;

/**
 * A complete store: its three parts behind one lifecycle. Code that needs one part takes that part, never the whole
 * store; the parts may be one object or three, and may share a database.
 */
public interface Store extends AutoCloseable {

    /** Readings, their rollups and the quarantine. */
    ReadingStore readings();

    /** Customers, sites, gateways, devices, channels and API keys. */
    MetadataStore metadata();

    /** The services' documents. */
    DocumentStore documents();

    /**
     * Tells {@code listener} what other nodes sharing this store change, from a thread of the store's, until the
     * returned handle is closed; first (and again whenever it may have missed changes) with {@link
     * StoreChanges#everything()}. A store that only one process opens has nothing to tell (the default).
     */
    default AutoCloseable listen(java.util.function.Consumer<StoreChanges> listener) {
        return () -> {};
    }

    /** Which node runs work that must run on one node at a time; all of it on this node when it is alone. */
    default Leases leases() {
        return Leases.ALONE;
    }

    /** What the other nodes sharing this store spent of their rate limits; nothing when this node is alone. */
    default SharedAllowances allowances() {
        return SharedAllowances.ALONE;
    }

    /** How this store packs closed periods of readings, if it does (PostgreSQL); empty when it needs not. */
    default java.util.Optional<Compaction> compaction() {
        return java.util.Optional.empty();
    }

    /** How many nodes are using this store now (those listening to its changes); 1 for a store of one process. */
    default int nodes() {
        return 1;
    }

    /** Whether several nodes may share this store (then caches are kept coherent through {@link #listen}). */
    default boolean shared() {
        return false;
    }

    /** Closes every part; the parts must not be used afterwards. */
    @Override
    void close();
}
