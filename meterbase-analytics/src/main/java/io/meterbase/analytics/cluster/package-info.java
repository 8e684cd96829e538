/** Daily load profiles of customers grouped by k-means, with the silhouette that chose k. */
@NullMarked
package io.meterbase.analytics.cluster;

import org.jspecify.annotations.NullMarked;
