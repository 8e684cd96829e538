/** The services above the store: tariffs and bills, community comparisons and the grid, commands, schedules and demand response, alarms and webhooks, wired together by {@link io.meterbase.services.Control}. */
@NullMarked
package io.meterbase.services;

import org.jspecify.annotations.NullMarked;
