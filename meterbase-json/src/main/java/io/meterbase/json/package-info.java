/** Meterbase's JSON conventions as Jackson mappers. Types are non-null unless marked {@code @Nullable}. */
@NullMarked
package io.meterbase.json;

import org.jspecify.annotations.NullMarked;
