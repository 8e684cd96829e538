/** Types are non-null unless marked {@code @Nullable}; NullAway checks it at compile time. */
@NullMarked
package io.meterbase.gateway;

import org.jspecify.annotations.NullMarked;
