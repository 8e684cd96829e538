/** Alarm rules, the alarms they raise from readings and device events, and the webhooks told of them. */
@NullMarked
package io.meterbase.services.alarm;

import org.jspecify.annotations.NullMarked;
