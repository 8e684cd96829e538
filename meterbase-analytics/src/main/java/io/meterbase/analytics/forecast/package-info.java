/** Next-hour and next-24-hour forecasts per meter and community: features, models and their training. */
@NullMarked
package io.meterbase.analytics.forecast;

import org.jspecify.annotations.NullMarked;
