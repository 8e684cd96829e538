package io.meterbase.core.registry;

import io.meterbase.core.auth.ApiKeys;
import io.meterbase.core.auth.AuthResult;
import io.meterbase.core.auth.Principal;
import io.meterbase.core.model.Accumulation;
import io.meterbase.core.model.ApiKey;
import io.meterbase.core.model.Category;
import io.meterbase.core.model.Channel;
import io.meterbase.core.model.Customer;
import io.meterbase.core.model.Device;
import io.meterbase.core.model.DeviceType;
import io.meterbase.core.model.Gateway;
import io.meterbase.core.model.GeoPosition;
import io.meterbase.core.model.KeyScope;
import io.meterbase.core.model.Quantity;
import io.meterbase.core.model.Role;
import io.meterbase.core.model.Site;
import io.meterbase.core.store.DocumentStore;
import io.meterbase.core.store.IdKind;
import io.meterbase.core.store.MetadataBatch;
import io.meterbase.core.store.MetadataStore;
import io.meterbase.core.store.StoreChanges;
import java.time.Clock;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The metadata of every customer, site, gateway, device, channel and key, held in memory for the ingest hot path
 * and written through to the {@link MetadataStore} before any change becomes visible. Lookups by id or reference
 * are lock-free; lists per owner lock their group briefly; changes are serialised. New gateways, devices and
 * channels are saved in group commits shared by the threads registering at the same time.
 */
public final class Registry {

    private final MetadataStore store;
    private final Clock clock;
    private final IdPool ids;

    private final Map<Long, Customer> customers = new ConcurrentHashMap<>();
    private final Map<Long, Site> sites = new ConcurrentHashMap<>();
    private final Map<Long, Gateway> gateways = new ConcurrentHashMap<>();
    private final Map<String, Gateway> gatewaysByRef = new ConcurrentHashMap<>();
    private final Map<Long, Device> devices = new ConcurrentHashMap<>();
    private final Map<String, Device> devicesByRef = new ConcurrentHashMap<>();
    private final Map<Integer, Channel> channels = new ConcurrentHashMap<>();
    private final Map<String, Channel> channelsByName = new ConcurrentHashMap<>();
    private final Map<Long, ApiKey> keys = new ConcurrentHashMap<>();
    private final Map<String, ApiKey> keysByHash = new ConcurrentHashMap<>();
    private final Index<Site> sitesByCustomer = new Index<>();
    private final Index<Device> devicesByCustomer = new Index<>();
    private final Index<Channel> channelsByDevice = new Index<>();
    private final RegistrationCommit commit;
    // registered but not yet durable, guarded by this: found by the next registrations, visible to reads once durable
    private final HeldDevices held;
    private final Map<String, Pending<Gateway>> pendingGateways = new HashMap<>();
    private final Map<String, Pending<Device>> pendingDevices = new HashMap<>();
    private final Map<String, Pending<Channel>> pendingChannels = new HashMap<>();

    /**
     * A registration on its way to the store, with the ticket of its commit: a thread that uses it waits for that
     * ticket, and fails with it.
     */
    private record Pending<T>(T value, RegistrationCommit.Ticket ticket) {}

    /** A registry whose devices held for approval are kept in this process only (tools, tests). */
    public Registry(MetadataStore store, Clock clock) {
        this(store, io.meterbase.core.store.memory.MemoryStore.open().documents(), clock);
    }

    /** A registry whose devices held for approval are kept in {@code documents}, shared by every node. */
    public Registry(MetadataStore store, DocumentStore documents, Clock clock) {
        this.store = store;
        this.clock = clock;
        this.held = new HeldDevices(documents, clock);
        this.commit = new RegistrationCommit(store, this, this::adopt);
        this.ids = new IdPool(store);
        for (Customer c : store.customers()) {
            customers.put(c.id(), c);
        }
        for (Site s : store.sites()) {
            indexSite(s);
        }
        for (Gateway g : store.gateways()) {
            indexGateway(g);
        }
        for (Device d : store.devices()) {
            indexDevice(d);
        }
        for (ApiKey k : store.apiKeys()) {
            indexKey(k);
        }
        for (Channel ch : store.channels()) {
            indexChannel(ch);
        }
    }

    public Clock clock() {
        return clock;
    }

    // ---- customers and sites

    /** Creates a customer with its first site. */
    public synchronized Customer createCustomer(
            String name,
            @Nullable String siteName,
            @Nullable String address,
            @Nullable GeoPosition position,
            @Nullable String community,
            @Nullable ZoneId zone) {
        Customer customer = new Customer(ids.next(IdKind.ENTITY), name, clock.instant());
        store.save(customer);
        customers.put(customer.id(), customer);
        createSite(customer.id(), siteName == null ? name : siteName, address, position, community, zone);
        return customer;
    }

    public synchronized Site createSite(
            long customerId,
            String name,
            @Nullable String address,
            @Nullable GeoPosition position,
            @Nullable String community,
            @Nullable ZoneId zone) {
        requireCustomer(customerId);
        Site site = new Site(
                ids.next(IdKind.ENTITY),
                customerId,
                name,
                address,
                position,
                community == null || community.isBlank() ? "default" : community,
                zone == null ? ZoneId.of("UTC") : zone);
        store.save(site);
        indexSite(site);
        return site;
    }

    public Optional<Customer> customer(long id) {
        return Optional.ofNullable(customers.get(id));
    }

    public List<Customer> customers() {
        return customers.values().stream()
                .sorted(Comparator.comparingLong(Customer::id))
                .toList();
    }

    public Optional<Site> site(long id) {
        return Optional.ofNullable(sites.get(id));
    }

    public List<Site> sites(long customerId) {
        return sitesByCustomer.get(customerId);
    }

    /** The customer's first site, where gateways and devices go unless told otherwise. */
    public Site defaultSite(long customerId) {
        return sites(customerId).stream()
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("customerId: " + customerId + " has no site"));
    }

    // ---- gateways

    public Optional<Gateway> gateway(long customerId, String ref) {
        return Optional.ofNullable(gatewaysByRef.get(customerId + "/" + ref));
    }

    public Optional<Gateway> gateway(long id) {
        return Optional.ofNullable(gateways.get(id));
    }

    /** Every customer's gateways, oldest first. */
    public List<Gateway> allGateways() {
        return gateways.values().stream()
                .sorted(Comparator.comparingLong(Gateway::id))
                .toList();
    }

    public List<Gateway> gateways(long customerId) {
        return gateways.values().stream()
                .filter(g -> g.customerId() == customerId)
                .sorted(Comparator.comparingLong(Gateway::id))
                .toList();
    }

    /** The customer's gateway named {@code ref}, registered at the default site on first use. */
    public Gateway gatewayOrRegister(long customerId, String ref) {
        Gateway known = gatewaysByRef.get(customerId + "/" + ref);
        return known != null
                ? known
                : registerGateway(customerId, defaultSite(customerId).id(), ref, ref, null, 0);
    }

    public Gateway registerGateway(
            long customerId, long siteId, String ref, String name, @Nullable String address, int port) {
        String key = customerId + "/" + ref;
        Gateway gateway;
        RegistrationCommit.Ticket ticket;
        synchronized (this) {
            requireCustomer(customerId);
            Gateway existing = gatewaysByRef.get(key);
            if (existing != null) {
                return existing;
            }
            Pending<Gateway> pending = pendingGateways.get(key);
            if (pending != null) {
                gateway = pending.value();
                ticket = pending.ticket();
            } else {
                Gateway created = new Gateway(ids.next(IdKind.ENTITY), customerId, siteId, ref, name, address, port);
                gateway = created;
                ticket = commit.enqueue(
                        new MetadataBatch(List.of(created), List.of(), List.of()),
                        () -> {
                            synchronized (this) {
                                indexGateway(created);
                                pendingGateways.remove(key);
                            }
                        },
                        () -> forget(pendingGateways, key));
                pendingGateways.put(key, new Pending<>(created, ticket));
            }
        }
        commit.await(ticket);
        return gateway;
    }

    /** Rows another node registered first (and this node's saved rows of the same commit), now this node's too. */
    private void adopt(MetadataBatch stored) {
        assert Thread.holdsLock(this);
        stored.gateways().forEach(this::indexGateway);
        indexDevices(stored.devices());
        stored.channels().forEach(this::indexChannel);
    }

    private synchronized <T> void forget(Map<String, Pending<T>> pendingMap, String key) {
        pendingMap.remove(key);
    }

    // ---- devices and channels

    public Optional<Device> device(long customerId, String ref) {
        return Optional.ofNullable(devicesByRef.get(customerId + "/" + ref));
    }

    public Optional<Device> device(long id) {
        return Optional.ofNullable(devices.get(id));
    }

    public List<Device> devices(long customerId) {
        return devicesByCustomer.get(customerId);
    }

    public List<Device> allDevices() {
        return devices.values().stream()
                .sorted(Comparator.comparingLong(Device::id))
                .toList();
    }

    public Device registerDevice(
            long customerId,
            long siteId,
            long gatewayId,
            String ref,
            @Nullable String name,
            DeviceType type,
            Category category) {
        return devicesOrRegister(customerId, siteId, gatewayId, List.of(new NewDevice(ref, name, type, category)))
                .get(0);
    }

    /** A node to register as a device of a customer. */
    public record NewDevice(String ref, @Nullable String name, DeviceType type, Category category) {}

    /**
     * The customer's devices with these refs, in the same order; the unknown ones are registered at the site (and
     * behind the gateway, or 0) together, in one commit shared with other threads registering at the same time.
     *
     * @throws io.meterbase.core.store.StoreException when the registration could not be made durable
     */
    public List<Device> devicesOrRegister(long customerId, long siteId, long gatewayId, List<NewDevice> nodes) {
        Registration registration = new Registration();
        List<Device> out = devicesOrRegister(customerId, siteId, gatewayId, nodes, registration);
        registration.await();
        return out;
    }

    /**
     * Registrations made together and made durable together by {@link #await()}: devices and the channels of their
     * first readings cost one commit. Until then, what they registered is not visible to others.
     */
    public final class Registration {
        private java.util.@Nullable Set<RegistrationCommit.Ticket> tickets;

        /** Waits for this commit too (its own, or another thread's whose registrations this one uses). */
        private void waitFor(RegistrationCommit.Ticket ticket) {
            if (tickets == null) {
                tickets = new java.util.LinkedHashSet<>();
            }
            tickets.add(ticket);
        }

        /**
         * Returns once everything registered (and every registration of other threads used) is durable and visible.
         *
         * @throws io.meterbase.core.store.StoreException when one of them could not be made durable
         */
        public void await() {
            if (tickets == null) {
                return;
            }
            for (RegistrationCommit.Ticket t : tickets) {
                commit.await(t);
            }
            tickets = null;
        }
    }

    /** A new set of registrations to be made durable together. */
    public Registration registration() {
        return new Registration();
    }

    /**
     * As {@link #devicesOrRegister(long, long, long, List)}, the commit left to {@code registration}: the devices
     * returned (new ones with their ids) may be given channels before it is awaited.
     */
    public List<Device> devicesOrRegister(
            long customerId, long siteId, long gatewayId, List<NewDevice> nodes, Registration registration) {
        List<Device> out = new ArrayList<>(nodes.size());
        synchronized (this) {
            requireCustomer(customerId);
            List<Device> created = new ArrayList<>();
            // a ref named twice in one call is one device: the first mention creates it
            Map<String, Device> createdByKey = new HashMap<>();
            for (NewDevice n : nodes) {
                String key = customerId + "/" + n.ref();
                Device d = devicesByRef.get(key);
                if (d == null) {
                    Pending<Device> pending = pendingDevices.get(key);
                    if (pending != null) {
                        d = pending.value();
                        registration.waitFor(pending.ticket());
                    }
                }
                if (d == null) {
                    d = createdByKey.get(key);
                }
                if (d == null) {
                    d = new Device(
                            ids.next(IdKind.ENTITY),
                            customerId,
                            siteId,
                            gatewayId,
                            n.ref(),
                            n.name() == null || n.name().isBlank() ? n.ref() : n.name(),
                            n.type(),
                            n.category());
                    created.add(d);
                    createdByKey.put(key, d);
                }
                out.add(d);
            }
            if (!created.isEmpty()) {
                RegistrationCommit.Ticket ticket = commit.enqueue(
                        new MetadataBatch(List.of(), created, List.of()),
                        () -> {
                            synchronized (this) {
                                indexDevices(created);
                                created.forEach(d -> pendingDevices.remove(d.customerId() + "/" + d.ref()));
                            }
                        },
                        () -> {
                            synchronized (this) {
                                created.forEach(d -> pendingDevices.remove(d.customerId() + "/" + d.ref()));
                            }
                        });
                created.forEach(d -> pendingDevices.put(d.customerId() + "/" + d.ref(), new Pending<>(d, ticket)));
                registration.waitFor(ticket);
            }
        }
        return out;
    }

    /** Renames or recategorises a device, as a gateway may when its user edits a node. */
    public synchronized Device updateDevice(Device changed) {
        store.save(changed);
        indexDevice(changed);
        return changed;
    }

    public Optional<Channel> channel(int id) {
        return Optional.ofNullable(channels.get(id));
    }

    public Optional<Channel> channel(long deviceId, String name) {
        return Optional.ofNullable(channelsByName.get(deviceId + "/" + name));
    }

    public List<Channel> channels(long deviceId) {
        return channelsByDevice.get(deviceId);
    }

    public List<Channel> allChannels() {
        return channels.values().stream()
                .sorted(Comparator.comparingInt(Channel::id))
                .toList();
    }

    /** The device's channel named {@code name}, created with this quantity if it does not exist yet. */
    public Channel channelOrCreate(long deviceId, String name, Quantity quantity, Accumulation accumulation) {
        Channel known = channelsByName.get(deviceId + "/" + name);
        return known != null
                ? known
                : channelsOrCreate(List.of(new NewChannel(deviceId, name, quantity, accumulation)))
                        .get(0);
    }

    /** A channel a device's readings need. */
    public record NewChannel(long deviceId, String name, Quantity quantity, Accumulation accumulation) {}

    /**
     * The channels with these devices and names, in the same order; the missing ones are created with the quantity
     * asked for, together, in one commit shared with other threads (an existing channel keeps its own quantity).
     *
     * @throws io.meterbase.core.store.StoreException when the channels could not be made durable
     */
    public List<Channel> channelsOrCreate(List<NewChannel> wanted) {
        Registration registration = new Registration();
        List<Channel> out = channelsOrCreate(wanted, registration);
        registration.await();
        return out;
    }

    /** As {@link #channelsOrCreate(List)}, the commit left to {@code registration}. */
    public List<Channel> channelsOrCreate(List<NewChannel> wanted, Registration registration) {
        List<Channel> out = new ArrayList<>(wanted.size());
        synchronized (this) {
            List<Channel> created = new ArrayList<>();
            for (NewChannel w : wanted) {
                String key = w.deviceId() + "/" + w.name();
                Channel ch = channelsByName.get(key);
                if (ch == null) {
                    Pending<Channel> pending = pendingChannels.get(key);
                    if (pending != null) {
                        ch = pending.value();
                        registration.waitFor(pending.ticket());
                    }
                }
                if (ch == null) {
                    ch = new Channel(
                            Math.toIntExact(ids.next(IdKind.CHANNEL)),
                            w.deviceId(),
                            w.name(),
                            w.quantity(),
                            w.accumulation());
                    created.add(ch);
                }
                out.add(ch);
            }
            if (!created.isEmpty()) {
                RegistrationCommit.Ticket ticket = commit.enqueue(
                        new MetadataBatch(List.of(), List.of(), created),
                        () -> {
                            synchronized (this) {
                                created.forEach(this::indexChannel);
                                created.forEach(c -> pendingChannels.remove(c.deviceId() + "/" + c.name()));
                            }
                        },
                        () -> {
                            synchronized (this) {
                                created.forEach(c -> pendingChannels.remove(c.deviceId() + "/" + c.name()));
                            }
                        });
                created.forEach(c -> pendingChannels.put(c.deviceId() + "/" + c.name(), new Pending<>(c, ticket)));
                registration.waitFor(ticket);
            }
        }
        return out;
    }

    /** How many channels the device has. */
    public int channelCount(long deviceId) {
        return channelsByDevice.size(deviceId);
    }

    // ---- devices waiting for approval

    /** A device that reported but is not registered yet, held until its owner or an operator approves it. */
    public record PendingDevice(
            long customerId,
            String ref,
            @Nullable String name,
            DeviceType type,
            Category category,
            @Nullable String gatewayRef,
            java.time.Instant firstSeen) {}

    /** Notes a device that reported without being registered (kept once, with what it first said). */
    public void holdForApproval(
            long customerId,
            String ref,
            @Nullable String name,
            DeviceType type,
            Category category,
            @Nullable String gatewayRef) {
        held.hold(new PendingDevice(customerId, ref, name, type, category, gatewayRef, clock.instant()));
    }

    /** The devices held for approval of a customer (0: of all customers), first seen first. */
    public List<PendingDevice> pending(long customerId) {
        return held.list(customerId);
    }

    /** Registers a held device; its next uploads are accepted. */
    public Optional<Device> approve(long customerId, String ref) {
        Optional<PendingDevice> taken = held.take(customerId, ref);
        if (taken.isEmpty()) {
            return Optional.empty();
        }
        PendingDevice p = taken.get();
        // another node may register the gateway or the device at the same moment: asked again with its rows
        for (int attempt = 1; ; attempt++) {
            try {
                Gateway gateway = p.gatewayRef() == null ? null : gatewayOrRegister(customerId, p.gatewayRef());
                long siteId = gateway != null
                        ? gateway.siteId()
                        : defaultSite(customerId).id();
                return Optional.of(registerDevice(
                        customerId, siteId, gateway == null ? 0 : gateway.id(), ref, p.name(), p.type(), p.category()));
            } catch (io.meterbase.core.store.RegistrationConflictException e) {
                if (attempt == 5) {
                    held.putBack(p); // still held: the approval can be asked again
                    throw e;
                }
            } catch (RuntimeException e) {
                held.putBack(p);
                throw e;
            }
        }
    }

    // ---- keys

    /** A new key; the secret is returned once and never stored. */
    public CreatedKey createKey(long customerId, Role role, String label) {
        return createKey(customerId, role, label, false);
    }

    /** A new key, in emoncms' 32-character format when asked (for emonhub and other emoncms clients). */
    public CreatedKey createKey(long customerId, Role role, String label, boolean emoncmsFormat) {
        return createKey(customerId, KeyScope.of(role), null, label, emoncmsFormat);
    }

    /**
     * A new key of a scope; {@code target} names the device or gateway of a device or gateway key (it need not be
     * registered yet: a device key's first upload registers it).
     *
     * @throws IllegalArgumentException when the scope and target do not fit (see {@link ApiKey})
     */
    public synchronized CreatedKey createKey(
            long customerId, KeyScope scope, @Nullable String target, String label, boolean emoncmsFormat) {
        if (scope.role() == Role.CUSTOMER) {
            requireCustomer(customerId);
        }
        String secret = emoncmsFormat ? ApiKeys.newEmoncmsSecret() : ApiKeys.newSecret();
        ApiKey key = new ApiKey(
                ids.next(IdKind.ENTITY),
                scope.role() == Role.CUSTOMER ? customerId : 0,
                scope.role(),
                label == null ? "" : label,
                ApiKeys.displayPrefix(secret),
                ApiKeys.hash(secret),
                clock.instant(),
                null,
                scope,
                target == null || target.isBlank() ? null : target.trim(),
                null);
        store.save(key);
        indexKey(key);
        return new CreatedKey(key, secret);
    }

    /**
     * Rotates a key: a new key of the same customer, scope, target and label, and the old one working for
     * {@code overlap} more (so that devices can be given the new one), then refused as expired.
     */
    public synchronized Optional<CreatedKey> rotateKey(long keyId, java.time.Duration overlap) {
        ApiKey old = keys.get(keyId);
        if (old == null || old.revoked() || old.expiresAt() != null) {
            return Optional.empty(); // a key already ending is not rotated again (its end would move)
        }
        boolean emoncms = old.prefix().length() > 0 && !old.prefix().startsWith("mbk_");
        CreatedKey fresh = createKey(old.customerId(), old.scope(), old.target(), old.label(), emoncms);
        ApiKey ending = old.expiringAt(clock.instant().plus(overlap));
        store.save(ending);
        indexKey(ending);
        return Optional.of(fresh);
    }

    public synchronized Optional<ApiKey> revokeKey(long keyId) {
        ApiKey key = keys.get(keyId);
        if (key == null) {
            return Optional.empty();
        }
        ApiKey revoked = key.revoke(clock.instant());
        store.save(revoked);
        indexKey(revoked);
        return Optional.of(revoked);
    }

    public Optional<ApiKey> key(long id) {
        return Optional.ofNullable(keys.get(id));
    }

    /** A key that works now: known, not revoked and not expired. */
    public Optional<ApiKey> workingKey(long id) {
        ApiKey key = keys.get(id);
        return key == null || key.revoked() || key.expired(clock.instant()) ? Optional.empty() : Optional.of(key);
    }

    public List<ApiKey> keys(long customerId) {
        return keys.values().stream()
                .filter(k -> k.customerId() == customerId)
                .sorted(Comparator.comparingLong(ApiKey::id))
                .toList();
    }

    public boolean hasOperatorKey() {
        return keys.values().stream().anyMatch(k -> k.role() == Role.OPERATOR && !k.revoked());
    }

    /** Checks a presented secret: unknown and revoked keys are refused with different reasons. */
    public AuthResult authenticate(@Nullable String secret) {
        if (secret == null || secret.isBlank()) {
            return AuthResult.refused("missing API key");
        }
        ApiKey key = keysByHash.get(ApiKeys.hash(secret.trim()));
        if (key == null) {
            return AuthResult.refused("unknown API key");
        }
        if (key.revoked()) {
            return AuthResult.revoked("API key revoked");
        }
        if (key.expired(clock.instant())) {
            return AuthResult.revoked("API key expired (it was rotated)");
        }
        return AuthResult.accepted(new Principal(key.role(), key.customerId(), key.id(), key.scope(), key.target()));
    }

    /** A key with its secret, as returned once at creation. */
    public record CreatedKey(ApiKey key, String secret) {}

    private void requireCustomer(long customerId) {
        if (!customers.containsKey(customerId)) {
            throw new IllegalArgumentException("customerId: no customer " + customerId);
        }
    }

    private void indexGateway(Gateway g) {
        gateways.put(g.id(), g);
        gatewaysByRef.put(g.customerId() + "/" + g.ref(), g);
    }

    private void indexSite(Site s) {
        sites.put(s.id(), s);
        sitesByCustomer.put(s.customerId(), s.id(), s);
    }

    private void indexDevice(Device d) {
        devices.put(d.id(), d);
        devicesByRef.put(d.customerId() + "/" + d.ref(), d);
        devicesByCustomer.put(d.customerId(), d.id(), d);
    }

    private void indexDevices(List<Device> batch) {
        Map<Long, List<Device>> byCustomer = new HashMap<>();
        for (Device d : batch) {
            devices.put(d.id(), d);
            devicesByRef.put(d.customerId() + "/" + d.ref(), d);
            byCustomer.computeIfAbsent(d.customerId(), k -> new ArrayList<>()).add(d);
        }
        byCustomer.forEach((customer, list) -> devicesByCustomer.putAll(customer, list, Device::id));
    }

    private void indexChannel(Channel ch) {
        channels.put(ch.id(), ch);
        channelsByName.put(ch.deviceId() + "/" + ch.name(), ch);
        channelsByDevice.put(ch.deviceId(), ch.id(), ch);
    }

    /**
     * Entities grouped by owner, each group read as an immutable list in id order. Writers (serialised by the
     * registry) change the group and drop its list; the next reader builds it again, so registering thousands of
     * devices of one customer costs no copy of its whole list each time.
     */
    private static final class Index<T> {
        private final Map<Long, Group<T>> byOwner = new ConcurrentHashMap<>();

        private static final class Group<T> {
            final java.util.TreeMap<Long, T> members = new java.util.TreeMap<>();
            List<T> list = List.of();
            boolean stale;
        }

        void put(long owner, long id, T value) {
            Group<T> group = byOwner.computeIfAbsent(owner, k -> new Group<>());
            synchronized (group) {
                group.members.put(id, value);
                group.stale = true;
            }
        }

        void putAll(long owner, List<T> values, java.util.function.ToLongFunction<T> id) {
            Group<T> group = byOwner.computeIfAbsent(owner, k -> new Group<>());
            synchronized (group) {
                for (T v : values) {
                    group.members.put(id.applyAsLong(v), v);
                }
                group.stale = true;
            }
        }

        void remove(long owner, long id) {
            Group<T> group = byOwner.get(owner);
            if (group == null) {
                return;
            }
            synchronized (group) {
                group.members.remove(id);
                group.stale = true;
            }
        }

        List<T> get(long owner) {
            Group<T> group = byOwner.get(owner);
            if (group == null) {
                return List.of();
            }
            synchronized (group) {
                if (group.stale) {
                    group.list = List.copyOf(group.members.values());
                    group.stale = false;
                }
                return group.list;
            }
        }

        int size(long owner) {
            Group<T> group = byOwner.get(owner);
            if (group == null) {
                return 0;
            }
            synchronized (group) {
                return group.members.size();
            }
        }
    }

    private void indexKey(ApiKey k) {
        keys.put(k.id(), k);
        keysByHash.put(k.hash(), k);
    }

    // ---- what other nodes changed

    /**
     * Takes in the rows other nodes sharing the store wrote, as the store's change feed names them (read again by
     * id); reads everything again when the feed may have missed changes. A row replaces the one with its id; a
     * gateway, device or channel whose owner, reference or name changed leaves its old index entries.
     */
    public void refresh(StoreChanges changes) {
        if (changes.missed()) {
            reload();
            return;
        }
        MetadataStore.MetadataRows rows = store.rows(changes);
        synchronized (this) {
            apply(rows);
        }
    }

    /** Reads all metadata from the store again: the backstop of the change feed. */
    public void reload() {
        MetadataStore.MetadataRows rows = new MetadataStore.MetadataRows(
                store.customers(), store.sites(), store.gateways(), store.devices(), store.channels(), store.apiKeys());
        synchronized (this) {
            apply(rows);
        }
    }

    private void apply(MetadataStore.MetadataRows rows) {
        assert Thread.holdsLock(this);
        rows.customers().forEach(c -> customers.put(c.id(), c));
        for (Site s : rows.sites()) {
            Site old = sites.get(s.id());
            if (old != null && old.customerId() != s.customerId()) {
                sitesByCustomer.remove(old.customerId(), s.id());
            }
            indexSite(s);
        }
        for (Gateway g : rows.gateways()) {
            Gateway old = gateways.get(g.id());
            if (old != null) {
                gatewaysByRef.remove(old.customerId() + "/" + old.ref(), old);
            }
            indexGateway(g);
        }
        for (Device d : rows.devices()) {
            Device old = devices.get(d.id());
            if (old != null) {
                devicesByRef.remove(old.customerId() + "/" + old.ref(), old);
                if (old.customerId() != d.customerId()) {
                    devicesByCustomer.remove(old.customerId(), d.id());
                }
            }
            indexDevice(d);
        }
        for (Channel ch : rows.channels()) {
            Channel old = channels.get(ch.id());
            if (old != null) {
                channelsByName.remove(old.deviceId() + "/" + old.name(), old);
                if (old.deviceId() != ch.deviceId()) {
                    channelsByDevice.remove(old.deviceId(), ch.id());
                }
            }
            indexChannel(ch);
        }
        rows.keys().forEach(this::indexKey);
    }
}
