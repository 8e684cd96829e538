package io.meterbase.core.model;

/**
 * One measured series of a device, such as {@code active_power} or {@code voltage_l2}. Its values are stored in the
 * canonical unit of its quantity.
 */
public record Channel(int id, long deviceId, String name, Quantity quantity, Accumulation accumulation) {

    public Channel {
        Checks.positive(id, "id");
        Checks.positive(deviceId, "deviceId");
        Checks.notBlank(name, "name");
        Checks.notNull(quantity, "quantity");
        Checks.notNull(accumulation, "accumulation");
        if (!quantity.allows(accumulation)) {
            throw new IllegalArgumentException("accumulation: " + accumulation + " does not fit " + quantity.key());
        }
    }

    public Unit unit() {
        return quantity.canonicalUnit();
    }
}
