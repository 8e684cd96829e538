package io.meterbase.services.alarm;

import io.meterbase.core.api.alarm.Alarm;
import io.meterbase.core.api.alarm.AlarmRule;
import io.meterbase.core.api.alarm.AlarmsApi;
import io.meterbase.core.api.alarm.Severity;
import io.meterbase.core.ingest.LiveState;
import io.meterbase.core.model.Channel;
import io.meterbase.core.model.Device;
import io.meterbase.core.model.Reading;
import io.meterbase.core.registry.Registry;
import io.meterbase.core.store.DocumentCache;
import io.meterbase.core.store.DocumentStore;
import io.meterbase.core.store.StoreChanges;
import io.meterbase.services.json.ControlJson;
import io.meterbase.services.stored.StoredAlarm;
import io.meterbase.services.stored.StoredAlarmRule;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Alarm rules and alarms. Every durable batch is evaluated against the rules on the service's own thread (the
 * writer only hands it over); silence is checked by {@link #checkSilence()}; device events (tamper, Tasmota
 * margins) raise alarms directly. An alarm is not raised twice: while one of a rule (or event type) and device is
 * not cleared, the condition counts occurrences on it. Threshold and rate alarms clear themselves when the
 * readings are back to normal; no-data alarms when the device reports again. Thread-safe.
 */
public final class AlarmService implements AlarmsApi, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AlarmService.class);
    private static final String RULES = "alarm-rule";
    private static final String ALARMS = "alarm";
    /**
     * The open alarm of a rule-or-event and device ("source|customer|device" to the alarm's id), claimed in the
     * store by the node that raises it: nodes sharing a store raise one alarm per event, and call its webhooks once.
     */
    private static final String OPEN = "alarm-open";

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Registry registry;
    private final DocumentStore store;
    private final LiveState live;
    private final Clock clock;
    private final Map<String, AlarmRule> rules = new ConcurrentHashMap<>();
    private final Map<String, Alarm> alarms = new ConcurrentHashMap<>();
    /** The open (not cleared) alarm of each rule-or-event and device, by "source|customer|device". */
    private final Map<String, String> open = new ConcurrentHashMap<>();
    /** Since when a threshold condition holds, by "rule|channel". */
    private final Map<String, Long> since = new ConcurrentHashMap<>();
    /** The previous reading of a channel, for rates of change. */
    private final Map<Integer, Reading> previous = new ConcurrentHashMap<>();

    private final List<AlarmListener> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "meterbase-alarms");
        t.setDaemon(true);
        return t;
    });

    public AlarmService(Registry registry, DocumentStore store, LiveState live, Clock clock) {
        this.registry = registry;
        this.store = store;
        this.live = live;
        this.clock = clock;
        store.documents(RULES).values().forEach(json -> {
            AlarmRule r = ControlJson.read(json, StoredAlarmRule.class).toApi();
            rules.put(idOf(r), r);
        });
        store.documents(ALARMS).values().forEach(json -> {
            Alarm a = ControlJson.read(json, StoredAlarm.class).toApi();
            alarms.put(a.id(), a);
            if (a.state() != Alarm.State.CLEARED) {
                open.put(key(a.ruleId(), a.customerId(), a.deviceRef()), a.id());
            }
        });
        live.subscribe(batch -> worker.execute(() -> evaluate(batch)));
    }

    /** Takes in the rules and alarms other nodes sharing the store changed. */
    public void refresh(StoreChanges changes) {
        DocumentCache.refresh(
                store,
                RULES,
                changes,
                rules.keySet(),
                (id, json) -> rules.put(
                        id, ControlJson.read(json, StoredAlarmRule.class).toApi()),
                rules::remove);
        DocumentCache.refresh(
                store,
                ALARMS,
                changes,
                alarms.keySet(),
                (id, json) -> {
                    Alarm a = ControlJson.read(json, StoredAlarm.class).toApi();
                    alarms.put(a.id(), a);
                    String k = key(a.ruleId(), a.customerId(), a.deviceRef());
                    if (a.state() != Alarm.State.CLEARED) {
                        open.put(k, a.id());
                    } else {
                        open.remove(k, a.id());
                    }
                },
                id -> {
                    Alarm gone = alarms.remove(id);
                    if (gone != null) {
                        open.remove(key(gone.ruleId(), gone.customerId(), gone.deviceRef()), id);
                    }
                });
    }

    public void addListener(AlarmListener listener) {
        listeners.add(listener);
    }

    // ---- rules

    /** Adds a rule; {@code owner} is the customer it is for, or null for an operator's rule for everyone. */
    public AlarmRule addRule(AlarmRule rule, @Nullable Long owner) {
        AlarmRule stored = rule.withId("rule-" + hex(6), owner);
        String id = idOf(stored);
        store.saveDocument(RULES, id, ControlJson.write(StoredAlarmRule.of(stored)));
        rules.put(id, stored);
        return stored;
    }

    /** The standard rules a new installation starts with (EN 50160 voltage band, gas leak), unless it has rules. */
    public void addDefaultRulesIfNone() {
        if (!rules.isEmpty()) {
            return;
        }
        addRule(
                new AlarmRule(
                        null,
                        null,
                        "over_voltage",
                        AlarmRule.Kind.THRESHOLD,
                        "voltage",
                        AlarmRule.Direction.ABOVE,
                        253.0,
                        10,
                        null,
                        null,
                        null,
                        null,
                        Severity.WARNING),
                null);
        addRule(
                new AlarmRule(
                        null,
                        null,
                        "under_voltage",
                        AlarmRule.Kind.THRESHOLD,
                        "voltage",
                        AlarmRule.Direction.BELOW,
                        207.0,
                        10,
                        null,
                        null,
                        null,
                        null,
                        Severity.WARNING),
                null);
        addRule(
                new AlarmRule(
                        null,
                        null,
                        "gas_leak",
                        AlarmRule.Kind.THRESHOLD,
                        "gas_concentration",
                        AlarmRule.Direction.ABOVE,
                        1000.0,
                        0,
                        null,
                        null,
                        null,
                        null,
                        Severity.CRITICAL),
                null);
    }

    public boolean removeRule(String id, @Nullable Long owner) {
        AlarmRule r = rules.get(id);
        if (r == null || (owner != null && !owner.equals(r.customerId()))) {
            return false;
        }
        store.deleteDocument(RULES, id);
        rules.remove(id);
        return true;
    }

    /** The rules that apply to a customer (its own and everyone's), or all (null). */
    public List<AlarmRule> rules(@Nullable Long customerId) {
        return rules.values().stream()
                .filter(r -> customerId == null
                        || r.customerId() == null
                        || r.customerId().equals(customerId))
                .sorted(Comparator.comparing(AlarmService::idOf))
                .toList();
    }

    // ---- alarms

    public List<Alarm> alarms(@Nullable Long customerId, Alarm.@Nullable State state, int limit) {
        return alarms(customerId, state, null, null, limit);
    }

    @Override
    public List<Alarm> alarms(
            @Nullable Long customerId,
            Alarm.@Nullable State state,
            @Nullable Severity minSeverity,
            @Nullable String typePrefix,
            int limit) {
        return alarms.values().stream()
                .filter(a -> customerId == null || a.customerId() == customerId)
                .filter(a -> state == null || a.state() == state)
                .filter(a -> minSeverity == null || a.severity().compareTo(minSeverity) >= 0)
                .filter(a ->
                        typePrefix == null || typePrefix.isEmpty() || a.type().startsWith(typePrefix))
                .sorted(Comparator.comparing(Alarm::raisedAt).reversed().thenComparing(Alarm::id))
                .limit(limit)
                .toList();
    }

    /** A customer's alarms that are not cleared, newest first: looks only through the open ones. */
    public List<Alarm> openAlarms(long customerId) {
        return open.values().stream()
                .map(alarms::get)
                .filter(a -> a != null && a.customerId() == customerId)
                .sorted(Comparator.comparing(Alarm::raisedAt).reversed().thenComparing(Alarm::id))
                .toList();
    }

    public Optional<Alarm> alarm(String id) {
        return Optional.ofNullable(alarms.get(id));
    }

    public synchronized Optional<Alarm> acknowledge(String id, String by) {
        Alarm a = alarms.get(id);
        if (a == null || a.state() != Alarm.State.ACTIVE) {
            return Optional.ofNullable(a);
        }
        return Optional.of(save(a.acknowledged(clock.instant(), by)));
    }

    public synchronized Optional<Alarm> clear(String id) {
        Alarm a = alarms.get(id);
        if (a == null || a.state() == Alarm.State.CLEARED) {
            return Optional.ofNullable(a);
        }
        return Optional.of(close(a, clock.instant()));
    }

    /**
     * A device reported an event: {@code tamper_case_open}, {@code magnetic_field}, {@code tilt},
     * {@code power_low} … raise an alarm of that type; a type ending in {@code _cleared} (or {@code on=false})
     * clears it.
     */
    public synchronized Optional<Alarm> event(
            long customerId, String deviceRef, String type, boolean on, Instant at, @Nullable String detail) {
        return event(customerId, deviceRef, type, null, on, at, detail);
    }

    /** As {@link #event(long, String, String, boolean, Instant, String)}, with the severity given (null: by type). */
    public synchronized Optional<Alarm> event(
            long customerId,
            String deviceRef,
            String type,
            @Nullable Severity severity,
            boolean on,
            Instant at,
            @Nullable String detail) {
        String normalized = type.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
        if (normalized.endsWith("_cleared")) {
            normalized = normalized.substring(0, normalized.length() - "_cleared".length());
            on = false;
        }
        String source = "event:" + normalized;
        if (!on) {
            Alarm current = openAlarm(key(source, customerId, deviceRef));
            return current == null ? Optional.empty() : Optional.of(close(current, at));
        }
        return Optional.of(raise(
                source,
                customerId,
                deviceRef,
                normalized,
                severity != null ? severity : severityOf(normalized),
                detail == null ? deviceRef + " reported " + normalized : detail,
                null,
                at));
    }

    private static Severity severityOf(String eventType) {
        if (eventType.contains("gas") || eventType.contains("fire") || eventType.contains("smoke")) {
            return Severity.CRITICAL;
        }
        if (eventType.startsWith("tamper")
                || eventType.contains("magnetic")
                || eventType.contains("tilt")
                || eventType.contains("leak")) {
            return Severity.ALARM;
        }
        return Severity.WARNING;
    }

    // ---- evaluation

    /** Evaluates a durable batch against the rules (on the service's thread in production; tests call it). */
    public synchronized void evaluate(List<Reading> batch) {
        if (rules.isEmpty()) {
            return;
        }
        for (Reading r : batch) {
            Channel channel = registry.channel(r.channelId()).orElse(null);
            if (channel == null) {
                continue;
            }
            Device device = registry.device(channel.deviceId()).orElse(null);
            if (device == null) {
                continue;
            }
            Reading before = previous.put(r.channelId(), r);
            for (AlarmRule rule : rules.values()) {
                if (rule.kind() == AlarmRule.Kind.NO_DATA) {
                    if (applies(rule, device)) {
                        Alarm current = openAlarm(key(idOf(rule), device.customerId(), device.ref()));
                        if (current != null) {
                            close(current, Instant.ofEpochMilli(r.timestamp())); // it reports again
                        }
                    }
                    continue;
                }
                if (!channel.quantity().key().equals(rule.quantity()) || !applies(rule, device)) {
                    continue;
                }
                if (rule.kind() == AlarmRule.Kind.THRESHOLD) {
                    threshold(rule, device, channel, r);
                } else if (before != null && r.timestamp() > before.timestamp()) {
                    double perMinute = (r.value() - before.value()) * 60_000.0 / (r.timestamp() - before.timestamp());
                    double limit = limitOf(rule);
                    boolean bad =
                            rule.direction() == AlarmRule.Direction.ABOVE ? perMinute > limit : perMinute < -limit;
                    condition(
                            rule,
                            device,
                            channel,
                            bad,
                            perMinute,
                            r.timestamp(),
                            String.format(
                                    Locale.ROOT,
                                    "%s of %s changed %.2f per minute (limit %s)",
                                    channel.name(),
                                    device.ref(),
                                    perMinute,
                                    rule.value()));
                }
            }
        }
    }

    private void threshold(AlarmRule rule, Device device, Channel channel, Reading r) {
        double limit = limitOf(rule);
        boolean bad = rule.direction() == AlarmRule.Direction.ABOVE ? r.value() > limit : r.value() < limit;
        String sinceKey = idOf(rule) + "|" + channel.id();
        if (!bad) {
            since.remove(sinceKey);
            condition(rule, device, channel, false, r.value(), r.timestamp(), null);
            return;
        }
        long start = since.computeIfAbsent(sinceKey, k -> r.timestamp());
        if (r.timestamp() - start >= rule.forSeconds() * 1000L) {
            condition(
                    rule,
                    device,
                    channel,
                    true,
                    r.value(),
                    r.timestamp(),
                    String.format(
                            Locale.ROOT,
                            "%s of %s is %s %s (%s) for %d s",
                            channel.name(),
                            device.ref(),
                            rule.direction() == AlarmRule.Direction.ABOVE ? "above" : "below",
                            rule.value(),
                            r.value(),
                            (r.timestamp() - start) / 1000));
        }
    }

    private void condition(
            AlarmRule rule,
            Device device,
            Channel channel,
            boolean bad,
            double value,
            long ts,
            @Nullable String message) {
        String k = key(idOf(rule), device.customerId(), device.ref());
        if (bad) {
            raise(
                    idOf(rule),
                    device.customerId(),
                    device.ref(),
                    rule.type(),
                    rule.severity(),
                    message == null ? rule.type() : message,
                    value,
                    Instant.ofEpochMilli(ts));
        } else {
            Alarm current = openAlarm(k);
            if (current != null) {
                close(current, Instant.ofEpochMilli(ts));
            }
        }
    }

    /** No-data rules: a device whose newest reading is older than the rule's silence is offline. */
    public synchronized void checkSilence() {
        long now = clock.millis();
        for (AlarmRule rule : rules.values()) {
            if (rule.kind() != AlarmRule.Kind.NO_DATA) {
                continue;
            }
            Long owner = rule.customerId();
            List<Device> devices = owner == null ? registry.allDevices() : registry.devices(owner);
            for (Device d : devices) {
                if (!applies(rule, d)) {
                    continue;
                }
                long newest = Long.MIN_VALUE;
                for (Channel c : registry.channels(d.id())) {
                    newest = Math.max(
                            newest, live.latest(c.id()).map(Reading::timestamp).orElse(Long.MIN_VALUE));
                }
                if (newest != Long.MIN_VALUE && now - newest > rule.silence().toMillis()) {
                    raise(
                            idOf(rule),
                            d.customerId(),
                            d.ref(),
                            rule.type(),
                            rule.severity(),
                            d.ref() + " has not reported for " + (now - newest) / 1000 + " s (expected every "
                                    + rule.intervalSeconds() + " s)",
                            null,
                            Instant.ofEpochMilli(now));
                }
            }
        }
    }

    private boolean applies(AlarmRule rule, Device device) {
        return (rule.customerId() == null || rule.customerId() == device.customerId())
                && (rule.device() == null || rule.device().equals(device.ref()))
                && (rule.category() == null
                        || rule.category().equalsIgnoreCase(device.category().key()));
    }

    private Alarm raise(
            String source,
            long customerId,
            String deviceRef,
            String type,
            Severity severity,
            String message,
            @Nullable Double value,
            Instant at) {
        String k = key(source, customerId, deviceRef);
        Alarm current = openAlarm(k);
        if (current != null) {
            // repeated occurrences are counted, not stored one by one: stored again at most every minute
            Alarm again = current.seenAgain(at, value);
            alarms.put(again.id(), again);
            if (again.occurrences() % 60 == 0) {
                store.saveDocument(ALARMS, again.id(), ControlJson.write(StoredAlarm.of(again)));
            }
            return again;
        }
        Alarm a = new Alarm(
                "alm-" + hex(6),
                source,
                customerId,
                deviceRef,
                type,
                severity,
                Alarm.State.ACTIVE,
                message,
                value,
                at,
                at,
                1,
                null,
                null,
                null);
        // stored first, then claimed: a node that finds the claim taken can read the alarm behind it
        store.saveDocument(ALARMS, a.id(), ControlJson.write(StoredAlarm.of(a)));
        for (int attempt = 0; attempt < 10; attempt++) {
            Optional<String> claimed = store.saveDocumentIfAbsent(OPEN, k, a.id());
            if (claimed.isEmpty() || claimed.get().equals(a.id())) {
                break;
            }
            Optional<Alarm> theirs = store.document(ALARMS, claimed.get())
                    .map(json -> ControlJson.read(json, StoredAlarm.class).toApi())
                    .filter(other -> other.state() != Alarm.State.CLEARED);
            if (theirs.isPresent()) {
                // another node raised this alarm first: it is counted on theirs, and its webhooks are theirs
                store.deleteDocument(ALARMS, a.id());
                Alarm again = theirs.get().seenAgain(at, value);
                alarms.put(again.id(), again);
                open.put(k, again.id());
                return again;
            }
            // the claim of an alarm cleared meanwhile: taken over, unless another node took it over first (then
            // its alarm is looked at, as above)
            if (store.compareAndReplace(OPEN, k, claimed.get(), a.id())) {
                break;
            }
        }
        open.put(k, a.id());
        LOG.info("Alarm {} {} on {} (customer {}): {}", a.type(), a.severity(), deviceRef, customerId, message);
        return save(a);
    }

    /** The open alarm under a key (rule or event source, customer, device), if there is one. */
    private @Nullable Alarm openAlarm(String key) {
        String id = open.get(key);
        return id == null ? null : alarms.get(id);
    }

    /** A rule's id: every rule the service holds has one (it is given when the rule is added). */
    private static String idOf(AlarmRule rule) {
        return Objects.requireNonNull(rule.id(), "a stored alarm rule has an id");
    }

    /** The limit of a threshold or rate-of-change rule (the rule's own checks require one). */
    private static double limitOf(AlarmRule rule) {
        return Objects.requireNonNull(rule.value(), "a threshold or rate-of-change rule has a value");
    }

    private Alarm close(Alarm a, Instant at) {
        String k = key(a.ruleId(), a.customerId(), a.deviceRef());
        open.remove(k);
        Alarm cleared = save(a.cleared(at));
        store.deleteDocument(OPEN, k);
        return cleared;
    }

    private Alarm save(Alarm a) {
        store.saveDocument(ALARMS, a.id(), ControlJson.write(StoredAlarm.of(a)));
        alarms.put(a.id(), a);
        for (AlarmListener l : listeners) {
            try {
                l.changed(a);
            } catch (RuntimeException e) {
                LOG.warn("An alarm listener failed: {}", e.toString());
            }
        }
        return a;
    }

    private static String key(String source, long customerId, String deviceRef) {
        return source + "|" + customerId + "|" + deviceRef;
    }

    private static String hex(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** Waits until the batches handed over so far are evaluated (tests, shutdown). */
    public void drain() throws InterruptedException {
        try {
            worker.submit(() -> {}).get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("the alarm worker did not catch up", e);
        }
    }

    @Override
    public void close() {
        worker.shutdown();
        try {
            worker.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
