/** Community comparisons (minimum, maximum, average, rank) and the grid state of each community. */
@NullMarked
package io.meterbase.services.community;

import org.jspecify.annotations.NullMarked;
