package io.meterbase.core.store.memory;

import io.meterbase.core.model.ApiKey;
import io.meterbase.core.model.Channel;
import io.meterbase.core.model.Customer;
import io.meterbase.core.model.Device;
import io.meterbase.core.model.Gateway;
import io.meterbase.core.model.Site;
import io.meterbase.core.store.MetadataBatch;
import io.meterbase.core.store.MetadataStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Metadata in memory, each kind by id; a save replaces the one of the same id. */
final class MemoryMetadata implements MetadataStore {

    private final Map<Long, Customer> customers = new TreeMap<>();
    private final Map<Long, Site> sites = new TreeMap<>();
    private final Map<Long, Gateway> gateways = new TreeMap<>();
    private final Map<Long, Device> devices = new TreeMap<>();
    private final Map<Integer, Channel> channels = new TreeMap<>();
    private final Map<Long, ApiKey> keys = new TreeMap<>();
    private final io.meterbase.core.store.IdCounter ids = new io.meterbase.core.store.IdCounter(this::largest);

    @Override
    public long[] newIds(io.meterbase.core.store.IdKind kind, int count) {
        return ids.take(kind, count);
    }

    private synchronized long largest(io.meterbase.core.store.IdKind kind) {
        if (kind == io.meterbase.core.store.IdKind.CHANNEL) {
            return channels.keySet().stream()
                    .mapToLong(Integer::longValue)
                    .max()
                    .orElse(0);
        }
        long max = 0;
        for (Map<Long, ?> m : List.of(customers, sites, gateways, devices, keys)) {
            max = Math.max(
                    max, m.keySet().stream().mapToLong(Long::longValue).max().orElse(0));
        }
        return max;
    }

    @Override
    public synchronized void save(Customer customer) {
        customers.put(customer.id(), customer);
    }

    @Override
    public synchronized void save(Site site) {
        sites.put(site.id(), site);
    }

    @Override
    public synchronized void save(Gateway gateway) {
        gateways.put(gateway.id(), gateway);
    }

    @Override
    public synchronized void save(Device device) {
        devices.put(device.id(), device);
    }

    @Override
    public synchronized void save(Channel channel) {
        channels.put(channel.id(), channel);
    }

    @Override
    public synchronized void save(ApiKey key) {
        keys.put(key.id(), key);
    }

    @Override
    public synchronized io.meterbase.core.store.SaveConflicts saveAll(MetadataBatch batch) {
        batch.gateways().forEach(this::save);
        batch.devices().forEach(this::save);
        batch.channels().forEach(this::save);
        return io.meterbase.core.store.SaveConflicts.NONE;
    }

    @Override
    public synchronized List<Customer> customers() {
        return new ArrayList<>(customers.values());
    }

    @Override
    public synchronized List<Site> sites() {
        return new ArrayList<>(sites.values());
    }

    @Override
    public synchronized List<Gateway> gateways() {
        return new ArrayList<>(gateways.values());
    }

    @Override
    public synchronized List<Device> devices() {
        return new ArrayList<>(devices.values());
    }

    @Override
    public synchronized List<Channel> channels() {
        return new ArrayList<>(channels.values());
    }

    @Override
    public synchronized List<ApiKey> apiKeys() {
        return new ArrayList<>(keys.values());
    }
}
