/**
 * The ingest pipeline: the intake every transport uses, format routing, normalization, limits, the durable
 * writer. Types are non-null unless marked {@code @Nullable}; NullAway checks it at compile time.
 */
@NullMarked
package io.meterbase.core.ingest;

import org.jspecify.annotations.NullMarked;
