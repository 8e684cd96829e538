package io.meterbase.core.store;

/** A channel as an export names it: its id, device, channel name, quantity and unit. */
public record ExportChannel(int channelId, String device, String channel, String quantity, String unit) {}
