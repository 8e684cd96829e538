/** Offline evaluations of the forecasts and detectors on real data sets, with their published baselines. */
@NullMarked
package io.meterbase.analytics.eval;

import org.jspecify.annotations.NullMarked;
