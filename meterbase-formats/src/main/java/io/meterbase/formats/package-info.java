/** Types are non-null unless marked {@code @Nullable}; NullAway checks it at compile time. */
@NullMarked
package io.meterbase.formats;

import org.jspecify.annotations.NullMarked;
