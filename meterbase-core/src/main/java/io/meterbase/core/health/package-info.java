/** Types are non-null unless marked {@code @Nullable}; NullAway checks it at compile time. */
@NullMarked
package io.meterbase.core.health;

import org.jspecify.annotations.NullMarked;
