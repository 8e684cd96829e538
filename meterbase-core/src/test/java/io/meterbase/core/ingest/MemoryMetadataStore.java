package io.meterbase.core.ingest;

import io.meterbase.core.model.ApiKey;
import io.meterbase.core.model.Channel;
import io.meterbase.core.model.Customer;
import io.meterbase.core.model.Device;
import io.meterbase.core.model.Gateway;
import io.meterbase.core.model.Site;
import io.meterbase.core.store.MetadataStore;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Metadata in memory, for tests of the registry and the normalizer; counts its commits. Thread-safe. */
public final class MemoryMetadataStore implements MetadataStore {

    private final Map<Long, Customer> customers = new ConcurrentHashMap<>();
    private final Map<Long, Site> sites = new ConcurrentHashMap<>();
    private final Map<Long, Gateway> gateways = new ConcurrentHashMap<>();
    private final Map<Long, Device> devices = new ConcurrentHashMap<>();
    private final Map<Integer, Channel> channels = new ConcurrentHashMap<>();
    private final Map<Long, ApiKey> keys = new ConcurrentHashMap<>();
    private final io.meterbase.core.store.IdCounter ids = new io.meterbase.core.store.IdCounter(kind -> {
        if (kind == io.meterbase.core.store.IdKind.CHANNEL) {
            return channels.keySet().stream()
                    .mapToLong(Integer::longValue)
                    .max()
                    .orElse(0);
        }
        long max = 0;
        for (Map<Long, ?> m : java.util.List.of(customers, sites, gateways, devices, keys)) {
            max = Math.max(
                    max, m.keySet().stream().mapToLong(Long::longValue).max().orElse(0));
        }
        return max;
    });

    @Override
    public long[] newIds(io.meterbase.core.store.IdKind kind, int count) {
        return ids.take(kind, count);
    }

    final AtomicInteger commits = new AtomicInteger();
    private volatile long saveAllMillis;
    private volatile boolean failSaveAll;

    /** Commits of this store so far. */
    public int commits() {
        return commits.get();
    }

    /** Every {@link #saveAll} takes this long. */
    public void saveAllDelay(long millis) {
        saveAllMillis = millis;
    }

    /** Every {@link #saveAll} fails, keeping nothing, while on. */
    public void failSaveAll(boolean on) {
        failSaveAll = on;
    }

    @Override
    public void save(Customer c) {
        customers.put(c.id(), c);
        commits.incrementAndGet();
    }

    @Override
    public void save(Site s) {
        sites.put(s.id(), s);
        commits.incrementAndGet();
    }

    @Override
    public void save(Gateway g) {
        gateways.put(g.id(), g);
        commits.incrementAndGet();
    }

    @Override
    public void save(Device d) {
        devices.put(d.id(), d);
        commits.incrementAndGet();
    }

    @Override
    public void save(Channel c) {
        channels.put(c.id(), c);
        commits.incrementAndGet();
    }

    @Override
    public void save(ApiKey k) {
        keys.put(k.id(), k);
        commits.incrementAndGet();
    }

    /**
     * The next batch's new devices are found registered already by another node (under other ids, without
     * channels), as PostgreSQL reports it when two nodes register one device at the same moment.
     */
    void anotherNodeRegistersFirst() {
        anotherNodeFirst = true;
    }

    private volatile boolean anotherNodeFirst;

    @Override
    public io.meterbase.core.store.SaveConflicts saveAll(io.meterbase.core.store.MetadataBatch batch) {
        if (anotherNodeFirst && !batch.devices().isEmpty()) {
            anotherNodeFirst = false;
            List<Device> theirs = new java.util.ArrayList<>();
            java.util.Set<Long> skipped = new java.util.HashSet<>();
            for (Device d : batch.devices()) {
                Device other = new Device(
                        d.id() + 1_000_000,
                        d.customerId(),
                        d.siteId(),
                        d.gatewayId(),
                        d.ref(),
                        d.name(),
                        d.type(),
                        d.category());
                devices.put(other.id(), other);
                theirs.add(other);
                skipped.add(d.id());
            }
            java.util.Set<Integer> skippedChannels = new java.util.HashSet<>();
            batch.channels().stream()
                    .filter(c -> skipped.contains(c.deviceId()))
                    .forEach(c -> skippedChannels.add(c.id()));
            batch.gateways().forEach(g -> gateways.put(g.id(), g));
            batch.channels().stream()
                    .filter(c -> !skipped.contains(c.deviceId()))
                    .forEach(c -> channels.put(c.id(), c));
            return new io.meterbase.core.store.SaveConflicts(
                    new io.meterbase.core.store.MetadataBatch(List.of(), theirs, List.of()), skipped, skippedChannels);
        }
        if (saveAllMillis > 0) {
            try {
                Thread.sleep(saveAllMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (failSaveAll) {
            throw new io.meterbase.core.store.StoreException("disk full (test)");
        }
        batch.gateways().forEach(g -> gateways.put(g.id(), g));
        batch.devices().forEach(d -> devices.put(d.id(), d));
        batch.channels().forEach(c -> channels.put(c.id(), c));
        commits.incrementAndGet();
        return io.meterbase.core.store.SaveConflicts.NONE;
    }

    @Override
    public List<Customer> customers() {
        return List.copyOf(customers.values());
    }

    @Override
    public List<Site> sites() {
        return List.copyOf(sites.values());
    }

    @Override
    public List<Gateway> gateways() {
        return List.copyOf(gateways.values());
    }

    @Override
    public List<Device> devices() {
        return List.copyOf(devices.values());
    }

    @Override
    public List<Channel> channels() {
        return List.copyOf(channels.values());
    }

    @Override
    public List<ApiKey> apiKeys() {
        return List.copyOf(keys.values());
    }
}
