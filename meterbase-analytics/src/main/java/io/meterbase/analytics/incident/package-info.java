/** Detectors of leaks, bursts and other incidents in hourly water, gas and electricity use. */
@NullMarked
package io.meterbase.analytics.incident;

import org.jspecify.annotations.NullMarked;
