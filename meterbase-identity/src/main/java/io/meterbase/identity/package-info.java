/** Who may act on the web: accounts, sessions, grants. Types are non-null unless marked {@code @Nullable}; NullAway checks it at compile time. */
@NullMarked
package io.meterbase.identity;

import org.jspecify.annotations.NullMarked;
