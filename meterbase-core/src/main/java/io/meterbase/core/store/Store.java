package io.meterbase.core.store;

/** A complete store: readings and metadata behind one lifecycle. */
public interface Store extends ReadingStore, MetadataStore {}
