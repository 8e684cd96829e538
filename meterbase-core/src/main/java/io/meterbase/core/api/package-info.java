/**
 * The ports through which the edges (the HTTP API and the pages) use the services and the analytics, and the
 * records that cross them. Types are non-null unless marked {@code @Nullable}.
 */
@NullMarked
package io.meterbase.core.api;

import org.jspecify.annotations.NullMarked;
