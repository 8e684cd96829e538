package io.meterbase.core.store.memory;

import io.meterbase.core.store.DocumentStore;
import io.meterbase.core.store.MetadataStore;
import io.meterbase.core.store.ReadingStore;
import io.meterbase.core.store.Store;
import io.meterbase.core.store.StoreException;

/**
 * A store in memory. Its parts keep their data in a {@link Data}; a store opened again on the same data sees
 * everything the last one saved (as a database store does after a restart), and nothing survives the process.
 * Thread-safe; every call takes the part's lock, so it suits tests and small trials, not load.
 */
public final class MemoryStore implements Store {

    /** The data of a memory store, kept apart so that a store can be closed and opened again on it. */
    public static final class Data {
        final MemoryReadings readings = new MemoryReadings();
        final MemoryMetadata metadata = new MemoryMetadata();
        final MemoryDocuments documents = new MemoryDocuments();
    }

    private final Data data;
    private volatile boolean closed;

    private MemoryStore(Data data) {
        this.data = data;
    }

    /** An empty store. */
    public static MemoryStore open() {
        return new MemoryStore(new Data());
    }

    /** A store over existing data (for example to open it again after {@link #close()}). */
    public static MemoryStore open(Data data) {
        return new MemoryStore(data);
    }

    /** The data this store works on. */
    public Data data() {
        return data;
    }

    @Override
    public ReadingStore readings() {
        checkOpen();
        return data.readings;
    }

    @Override
    public MetadataStore metadata() {
        checkOpen();
        return data.metadata;
    }

    @Override
    public DocumentStore documents() {
        checkOpen();
        return data.documents;
    }

    private void checkOpen() {
        if (closed) {
            throw new StoreException("the memory store is closed");
        }
    }

    @Override
    public void close() {
        closed = true;
    }
}
