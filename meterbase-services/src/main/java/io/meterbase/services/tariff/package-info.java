/** Tariffs and their versions, customer groups, and bills worked out from hourly rollups. */
@NullMarked
package io.meterbase.services.tariff;

import org.jspecify.annotations.NullMarked;
