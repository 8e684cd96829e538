package io.meterbase.core.query;

/** Consumption of one group (a device, category, site or the whole selection) in one period. */
public record EnergyPoint(String group, long periodStart, double amount) {}
