/** The embedded store: DuckDB, one table per month of readings, staged bulk writes and quarantine. */
@NullMarked
package io.meterbase.store.duckdb;

import org.jspecify.annotations.NullMarked;
