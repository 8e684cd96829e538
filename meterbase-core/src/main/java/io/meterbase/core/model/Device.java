package io.meterbase.core.model;

/**
 * A metering device: a smart plug, meter or sensor node. {@code ref} is the node id the device or its gateway
 * uses in uploads, unique per customer; {@code gatewayId} is 0 for a device that reports directly.
 */
public record Device(
        long id,
        long customerId,
        long siteId,
        long gatewayId,
        String ref,
        String name,
        DeviceType type,
        Category category) {

    public Device {
        Checks.positive(id, "id");
        Checks.positive(customerId, "customerId");
        Checks.positive(siteId, "siteId");
        Checks.notBlank(ref, "ref");
        Checks.notBlank(name, "name");
        Checks.notNull(type, "type");
        Checks.notNull(category, "category");
    }

    public Device withNameAndCategory(String newName, Category newCategory) {
        return new Device(id, customerId, siteId, gatewayId, ref, newName, type, newCategory);
    }
}
