/** The analytics as a service: scheduled runs, stored forecasts, incidents and clusters, and the answers to the API. */
@NullMarked
package io.meterbase.analytics.service;

import org.jspecify.annotations.NullMarked;
