/** Types are non-null unless marked {@code @Nullable}; NullAway checks it at compile time. */
@NullMarked
package io.meterbase.formats.json;

import org.jspecify.annotations.NullMarked;
