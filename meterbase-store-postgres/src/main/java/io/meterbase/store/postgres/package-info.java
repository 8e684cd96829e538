/** The production store on PostgreSQL: partitioned readings, COPY writes, analysts' views with row-level security. */
@NullMarked
package io.meterbase.store.postgres;

import org.jspecify.annotations.NullMarked;
