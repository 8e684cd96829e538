/** Customers' schedules and demand-response programs and events, with the reduction each event achieved. */
@NullMarked
package io.meterbase.services.dr;

import org.jspecify.annotations.NullMarked;
