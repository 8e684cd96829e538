package io.meterbase.core.store;

import io.meterbase.core.model.ApiKey;
import io.meterbase.core.model.Channel;
import io.meterbase.core.model.Customer;
import io.meterbase.core.model.Device;
import io.meterbase.core.model.Gateway;
import io.meterbase.core.model.Site;
import java.util.List;

/**
 * Durable metadata: customers, sites, gateways, devices, channels and API keys. Saves insert or replace by id and are
 * durable on return. Thread-safe; all methods block.
 */
public interface MetadataStore {

    /**
     * Reserves {@code count} new ids of a kind: ids that no process sharing this store has been given before, nor
     * stored (several nodes on one database each reserve their own).
     */
    long[] newIds(IdKind kind, int count);

    /**
     * After rows were copied in with the ids they had elsewhere ({@code meterbase move-to-postgres}), makes the ids
     * handed out next pass them. Stores that count from their stored ids need nothing.
     */
    default void passCopiedIds() {}

    void save(Customer customer);

    void save(Site site);

    void save(Gateway gateway);

    void save(Device device);

    void save(Channel channel);

    void save(ApiKey key);

    /**
     * Saves new gateways, devices and channels together: all of them or, when it fails, none (one transaction where
     * the store has them). Where several processes share the store, a row whose (customer, ref) or (device, name)
     * another one saved first is not saved, and is reported with the row that was there ({@link SaveConflicts}).
     */
    default SaveConflicts saveAll(MetadataBatch batch) {
        batch.gateways().forEach(this::save);
        batch.devices().forEach(this::save);
        batch.channels().forEach(this::save);
        return SaveConflicts.NONE;
    }

    List<Customer> customers();

    List<Site> sites();

    List<Gateway> gateways();

    List<Device> devices();

    List<Channel> channels();

    List<ApiKey> apiKeys();

    /** The rows another node changed, as {@code changes} names them (rows since deleted are not there). */
    default MetadataRows rows(StoreChanges changes) {
        return new MetadataRows(
                withIds(this::customers, changes.ids("customers"), Customer::id),
                withIds(this::sites, changes.ids("sites"), Site::id),
                withIds(this::gateways, changes.ids("gateways"), Gateway::id),
                withIds(this::devices, changes.ids("devices"), Device::id),
                withIds(this::channels, changes.ids("channels"), c -> (long) c.id()),
                withIds(this::apiKeys, changes.ids("api_keys"), ApiKey::id));
    }

    private static <T> List<T> withIds(
            java.util.function.Supplier<List<T>> all,
            java.util.Set<Long> ids,
            java.util.function.ToLongFunction<T> id) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return all.get().stream().filter(o -> ids.contains(id.applyAsLong(o))).toList();
    }

    /** Metadata rows read back by id. */
    record MetadataRows(
            List<Customer> customers,
            List<Site> sites,
            List<Gateway> gateways,
            List<Device> devices,
            List<Channel> channels,
            List<ApiKey> keys) {}
}
