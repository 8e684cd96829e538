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

    /** Closes every part; the parts must not be used afterwards. */
    @Override
    void close();
}
