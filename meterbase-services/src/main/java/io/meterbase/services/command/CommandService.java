package io.meterbase.services.command;

import io.meterbase.core.api.command.Command;
import io.meterbase.core.api.command.CommandStatus;
import io.meterbase.core.api.command.CommandType;
import io.meterbase.core.api.command.CommandsApi;
import io.meterbase.core.api.command.RelayState;
import io.meterbase.core.auth.CommandSignature;
import io.meterbase.core.device.CommandPush;
import io.meterbase.core.device.UnsupportedCommandException;
import io.meterbase.core.model.Device;
import io.meterbase.core.registry.Registry;
import io.meterbase.core.store.DocumentCache;
import io.meterbase.core.store.DocumentStore;
import io.meterbase.core.store.StoreChanges;
import io.meterbase.services.json.ControlJson;
import io.meterbase.services.stored.StoredCommand;
import io.meterbase.services.stored.StoredRelay;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commands and their lifecycle. A command is stored before anything else happens, so none is lost on a restart;
 * it then waits (queued) until its {@code notBefore} and until the device can be reached: pushed at once on a
 * {@link CommandPush} where the device is connected (MQTT), or handed to its gateway in the answer to the next
 * upload (HTTP, CoAP). The device's confirmation moves it to done or failed and updates the relay state; a command
 * not confirmed in time expires. Thread-safe.
 */
public final class CommandService implements CommandsApi {

    private static final Logger LOG = LoggerFactory.getLogger(CommandService.class);
    private static final String KIND = "command";
    private static final String RELAY_KIND = "relay";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Registry registry;
    private final DocumentStore store;
    private final CommandSigner signer;
    private final Clock clock;
    private final Duration defaultTtl;
    private final Duration keepFinished;
    private final Map<String, Command> commands = new ConcurrentHashMap<>();
    /** The ids of the queued commands: what each upload answer and each delivery round looks through. */
    private final java.util.Set<String> queued = ConcurrentHashMap.newKeySet();

    private final Map<String, RelayState> relays = new ConcurrentHashMap<>();
    private final List<CommandPush> channels = new CopyOnWriteArrayList<>();
    private final List<Consumer<Command>> listeners = new CopyOnWriteArrayList<>();

    public CommandService(
            Registry registry,
            DocumentStore store,
            CommandSigner signer,
            Clock clock,
            Duration defaultTtl,
            Duration keepFinished) {
        this.registry = registry;
        this.store = store;
        this.signer = signer;
        this.clock = clock;
        this.defaultTtl = defaultTtl;
        this.keepFinished = keepFinished;
        store.documents(KIND).values().forEach(json -> {
            Command c = ControlJson.read(json, StoredCommand.class).toApi();
            commands.put(c.id(), c);
            if (c.status() == CommandStatus.QUEUED) {
                queued.add(c.id());
            }
        });
        store.documents(RELAY_KIND)
                .forEach((key, json) -> relays.put(
                        key, ControlJson.read(json, StoredRelay.class).toApi()));
    }

    /** Takes in the commands and relay states other nodes sharing the store changed. */
    public void refresh(StoreChanges changes) {
        DocumentCache.refresh(
                store,
                KIND,
                changes,
                commands.keySet(),
                (id, json) -> {
                    Command c = ControlJson.read(json, StoredCommand.class).toApi();
                    commands.put(c.id(), c);
                    if (c.status() == CommandStatus.QUEUED) {
                        queued.add(c.id());
                    } else {
                        queued.remove(c.id());
                    }
                },
                id -> {
                    commands.remove(id);
                    queued.remove(id);
                });
        DocumentCache.refresh(
                store,
                RELAY_KIND,
                changes,
                relays.keySet(),
                (key, json) -> relays.put(
                        key, ControlJson.read(json, StoredRelay.class).toApi()),
                relays::remove);
    }

    public void addChannel(CommandPush channel) {
        channels.add(channel);
    }

    /** Told of every change of a command (after it is stored). */
    public void onChange(Consumer<Command> listener) {
        listeners.add(listener);
    }

    @Override
    public String publicKeyPem() {
        return signer.publicKeyPem();
    }

    public CommandSigner signer() {
        return signer;
    }

    /** Stores a new command and offers it to the channels at once when it is due. */
    public Command submit(Request r) {
        Device device = registry.device(r.customerId(), r.deviceRef())
                .orElseThrow(() -> new IllegalArgumentException("no device " + r.deviceRef()));
        validate(r);
        Instant now = clock.instant();
        Duration ttl = r.ttl() == null ? defaultTtl : r.ttl();
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("a command's time to live must be positive");
        }
        Instant notBefore = r.notBefore() == null || r.notBefore().isBefore(now) ? now : r.notBefore();
        Instant expires = notBefore.plus(ttl);
        String id = "cmd-" + HexFormat.of().formatHex(randomBytes(8));
        String gateway = device.gatewayId() == 0
                ? null
                : registry.gateway(device.gatewayId()).map(g -> g.ref()).orElse(null);
        String nonce = null;
        String signature = null;
        if (r.type().signed()) {
            nonce = HexFormat.of().formatHex(randomBytes(16));
            signature = signer.sign(CommandSignature.canonical(
                    id, device.ref(), r.type().key(), now.toEpochMilli(), expires.toEpochMilli(), nonce));
        }
        Command c = new Command(
                id,
                r.customerId(),
                device.ref(),
                gateway,
                r.type(),
                r.params() == null ? Map.of() : r.params(),
                r.origin() == null ? "customer" : r.origin(),
                CommandStatus.QUEUED,
                now,
                notBefore,
                expires,
                null,
                null,
                null,
                null,
                null,
                nonce,
                signature);
        save(c);
        if (!notBefore.isAfter(now)) {
            offer(c);
        }
        return commands.getOrDefault(id, c);
    }

    private static void validate(Request r) {
        Map<String, Object> p = r.params() == null ? Map.of() : r.params();
        switch (r.type()) {
            case SET_INTERVAL -> {
                if (!(p.get("seconds") instanceof Number n) || n.doubleValue() < 1 || n.doubleValue() > 86_400) {
                    throw new IllegalArgumentException("set_interval needs params.seconds between 1 and 86400");
                }
            }
            case SET_THRESHOLD -> {
                if (!(p.get("quantity") instanceof String) || !(p.get("value") instanceof Number)) {
                    throw new IllegalArgumentException("set_threshold needs params.quantity and params.value");
                }
            }
            case REQUEST_READINGS -> {
                try {
                    Instant from = Instant.parse(String.valueOf(p.get("from")));
                    Instant to = Instant.parse(String.valueOf(p.get("to")));
                    if (!to.isAfter(from)) {
                        throw new IllegalArgumentException("request_readings: to must be after from");
                    }
                } catch (java.time.format.DateTimeParseException e) {
                    throw new IllegalArgumentException(
                            "request_readings needs params.from and params.to as ISO-8601 times", e);
                }
            }
            default -> {
                if (!p.isEmpty()) {
                    throw new IllegalArgumentException(r.type().key() + " takes no params");
                }
            }
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    public Optional<Command> get(long customerId, String id) {
        Command c = commands.get(id);
        return c != null && c.customerId() == customerId ? Optional.of(c) : Optional.empty();
    }

    public Optional<Command> get(String id) {
        return Optional.ofNullable(commands.get(id));
    }

    /** A customer's commands, newest first, optionally of one device. */
    public List<Command> list(long customerId, @Nullable String deviceRef, int limit) {
        return commands.values().stream()
                .filter(c -> c.customerId() == customerId)
                .filter(c -> deviceRef == null || c.deviceRef().equals(deviceRef))
                .sorted(Comparator.comparing(Command::createdAt).reversed().thenComparing(Command::id))
                .limit(limit)
                .toList();
    }

    /**
     * The due commands for the devices a gateway (or a device uploading for itself) speaks for, handed over in the
     * answer to its upload: they become sent, via {@code channel}. A command is handed out only by the node that
     * claims its delivery in the store, so two nodes answering the same gateway at once hand it out once.
     */
    public List<Command> collect(long customerId, String senderRef, String channel) {
        Instant now = clock.instant();
        List<Command> out = new ArrayList<>();
        for (Command c : due(now)) {
            if (c.customerId() == customerId && (senderRef.equals(c.gatewayRef()) || senderRef.equals(c.deviceRef()))) {
                synchronized (this) {
                    Command current = commands.get(c.id());
                    if (current == null || current.status() != CommandStatus.QUEUED || !claim(c.id(), channel)) {
                        continue; // sent meanwhile, or being handed out by another node
                    }
                    Command sent = current.sent(now, channel);
                    save(sent);
                    out.add(sent);
                }
            }
        }
        return out;
    }

    /** Whether a gateway or device has commands waiting. */
    public boolean hasDue(long customerId, String senderRef) {
        Instant now = clock.instant();
        return due(now).stream()
                .anyMatch(c -> c.customerId() == customerId
                        && (senderRef.equals(c.gatewayRef()) || senderRef.equals(c.deviceRef())));
    }

    private List<Command> due(Instant now) {
        if (queued.isEmpty()) {
            return List.of();
        }
        return queued.stream()
                .map(commands::get)
                .filter(c -> c != null && c.status() == CommandStatus.QUEUED)
                .filter(c -> !c.notBefore().isAfter(now) && c.expiresAt().isAfter(now))
                .sorted(Comparator.comparing(Command::notBefore).thenComparing(Command::createdAt))
                .toList();
    }

    /**
     * A device's or gateway's answer about a command: {@code acknowledged} (received, being carried out),
     * {@code done} or {@code failed}. {@code relayOn} is the relay state it reports, if any. Answers about finished
     * commands change nothing.
     */
    public Optional<Command> report(
            long customerId, String id, CommandStatus status, @Nullable String detail, @Nullable Boolean relayOn) {
        if (status != CommandStatus.ACKNOWLEDGED && status != CommandStatus.DONE && status != CommandStatus.FAILED) {
            throw new IllegalArgumentException("a device reports acknowledged, done or failed");
        }
        synchronized (this) {
            Command c = commands.get(id);
            if (c == null || c.customerId() != customerId) {
                return Optional.empty();
            }
            if (c.status().finished()) {
                return Optional.of(c);
            }
            Instant now = clock.instant();
            Command moved = c.moved(status, now, detail);
            save(moved);
            Boolean relay = relayOn != null
                    ? relayOn
                    : status == CommandStatus.DONE ? c.type().relayAfter() : null;
            if (relay != null) {
                setRelay(customerId, c.deviceRef(), relay, "command " + id);
            }
            return Optional.of(moved);
        }
    }

    /**
     * A device says its relay is on or off (Tasmota {@code stat/<t>/POWER}, Shelly status): the relay state is
     * updated and the oldest sent switching command of the device that this state fulfils is done.
     */
    public void relayConfirmed(long customerId, String deviceRef, boolean on, String source) {
        setRelay(customerId, deviceRef, on, source);
        synchronized (this) {
            commands.values().stream()
                    .filter(c -> c.customerId() == customerId && c.deviceRef().equals(deviceRef))
                    .filter(c -> c.status() == CommandStatus.SENT || c.status() == CommandStatus.ACKNOWLEDGED)
                    .filter(c -> c.type() == CommandType.RELAY_TOGGLE
                            || Objects.equals(c.type().relayAfter(), on))
                    .min(Comparator.comparing(Command::sentAt))
                    .ifPresent(c -> save(c.moved(CommandStatus.DONE, clock.instant(), "confirmed by " + source)));
        }
    }

    private void setRelay(long customerId, String deviceRef, boolean on, String source) {
        RelayState s = new RelayState(on, clock.instant(), source);
        String key = customerId + "/" + deviceRef;
        store.saveDocument(RELAY_KIND, key, ControlJson.write(StoredRelay.of(s)));
        relays.put(key, s);
    }

    public Optional<RelayState> relay(long customerId, String deviceRef) {
        return Optional.ofNullable(relays.get(customerId + "/" + deviceRef));
    }

    /**
     * Periodic work: pushes due commands on the channels, expires commands past their time, forgets finished ones
     * older than the keeping time.
     */
    public void tick() {
        expire();
        offerDue();
    }

    /**
     * Expires commands not confirmed in time and forgets finished ones kept long enough: work for one node when
     * several share the store.
     */
    public void expire() {
        Instant now = clock.instant();
        for (Command c : List.copyOf(commands.values())) {
            if (!c.status().finished() && !c.expiresAt().isAfter(now)) {
                synchronized (this) {
                    Command current = commands.get(c.id());
                    if (current != null && !current.status().finished()) {
                        save(current.moved(
                                CommandStatus.EXPIRED,
                                now,
                                current.status() == CommandStatus.QUEUED
                                        ? "the device was not reachable before the command expired"
                                        : "the device did not confirm before the command expired"));
                    }
                }
            } else if (c.status().finished()
                    && (c.finishedAt() == null
                            || c.finishedAt().plus(keepFinished).isBefore(now))) {
                store.deleteDocument(KIND, c.id());
                store.deleteDocument(DELIVERY_KIND, c.id());
                commands.remove(c.id());
            }
        }
    }

    /** Offers the commands that have become due to the devices connected to this node. */
    public void offerDue() {
        for (Command c : due(clock.instant())) {
            offer(c);
        }
    }

    /**
     * Offers a queued command on the channels that reach its device now. Nodes sharing a store may offer the same
     * command at the same moment (each has its own connected devices, and every node offers what is due): the node
     * that claims the delivery in the store ({@code command-delivery/<id>}) sends it; a claim whose channel then did
     * not send is given back.
     */
    private void offer(Command c) {
        for (CommandPush channel : channels) {
            try {
                synchronized (this) {
                    Command current = commands.get(c.id());
                    if (current == null || current.status() != CommandStatus.QUEUED) {
                        return;
                    }
                    if (!channel.reaches(current.outbound())) {
                        continue;
                    }
                    if (!claim(c.id(), channel.name())) {
                        return; // another node is delivering it
                    }
                    boolean sent = false;
                    try {
                        sent = channel.offer(current.outbound());
                        if (sent) {
                            save(current.sent(clock.instant(), channel.name()));
                            return;
                        }
                    } catch (UnsupportedCommandException e) {
                        sent = true; // answered for good: failed, and the claim stays with it
                        save(current.moved(CommandStatus.FAILED, clock.instant(), e.getMessage()));
                        return;
                    } finally {
                        if (!sent) {
                            store.deleteDocument(DELIVERY_KIND, c.id());
                        }
                    }
                }
            } catch (RuntimeException e) {
                LOG.warn("Command {} could not be offered on {}: {}", c.id(), channel.name(), e.toString());
            }
        }
    }

    /** The claim of a command's delivery by the node sending it. */
    private static final String DELIVERY_KIND = "command-delivery";

    /**
     * A claim older than this was left by a node that died before sending (a send takes seconds at most): another
     * node may take it over.
     */
    static final Duration CLAIM_STALE = Duration.ofSeconds(30);

    /** A delivery claim: the channel and when it was claimed. */
    record DeliveryClaim(String via, Instant at) {}

    /** Claims a command's delivery for this node; false when another node claimed it (and may still send it). */
    private boolean claim(String id, String via) {
        Instant now = clock.instant();
        String mine = ControlJson.write(new DeliveryClaim(via, now));
        Optional<String> held = store.saveDocumentIfAbsent(DELIVERY_KIND, id, mine);
        if (held.isEmpty()) {
            return true;
        }
        Instant at;
        try {
            at = ControlJson.read(held.get(), DeliveryClaim.class).at();
        } catch (IllegalArgumentException e) {
            at = Instant.EPOCH; // unreadable: treated as left behind
        }
        if (at.plus(CLAIM_STALE).isAfter(now)) {
            return false;
        }
        LOG.info("Command {}: the delivery claimed at {} was never made; delivering it from here", id, at);
        return store.replaceDocument(DELIVERY_KIND, id, mine);
    }

    private void save(Command c) {
        store.saveDocument(KIND, c.id(), ControlJson.write(StoredCommand.of(c)));
        commands.put(c.id(), c);
        if (c.status() == CommandStatus.QUEUED) {
            queued.add(c.id());
        } else {
            queued.remove(c.id());
        }
        for (Consumer<Command> l : listeners) {
            l.accept(c);
        }
    }
}
