/**
 * A complete store in memory: what the database stores do, for tests of the pipeline and the services, and for
 * trying Meterbase without a disk. It passes the store contract; its data lives as long as its {@link
 * io.meterbase.core.store.memory.MemoryStore.Data}.
 */
@NullMarked
package io.meterbase.core.store.memory;

import org.jspecify.annotations.NullMarked;
