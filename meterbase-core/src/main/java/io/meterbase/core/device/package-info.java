/**
 * What transports need from the services that act on devices (commands to deliver, alarms to publish), declared
 * here so that transports depend on core only. Types are non-null unless marked {@code @Nullable}.
 */
@NullMarked
package io.meterbase.core.device;

import org.jspecify.annotations.NullMarked;
