/** Types are non-null unless marked {@code @Nullable}; NullAway checks it at compile time. */
@NullMarked
package io.meterbase.http;

import org.jspecify.annotations.NullMarked;
