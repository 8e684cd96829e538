package io.meterbase.core.api.command;

import java.time.Instant;

/** A device's relay as last confirmed by the device. */
public record RelayState(boolean on, Instant at, String source) {}
