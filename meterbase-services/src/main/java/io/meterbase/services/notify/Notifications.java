package io.meterbase.services.notify;

import io.meterbase.core.api.alarm.Alarm;
import io.meterbase.core.api.alarm.NotificationsApi;
import io.meterbase.core.registry.Registry;
import io.meterbase.core.store.DocumentCache;
import io.meterbase.core.store.DocumentStore;
import io.meterbase.core.store.StoreChanges;
import io.meterbase.services.alarm.AlarmListener;
import io.meterbase.services.json.ControlJson;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Alarms by e-mail and Web Push. A newly raised alarm (not its repeats, acknowledgement or clearing) is queued for
 * its customer and for the operators, per channel, when their settings for that channel take its type and severity;
 * {@link #flush} sends each queue as one message once its digest window has passed and outside its recipient's quiet
 * hours, and keeps it when the SMTP server or a push service cannot take it now (sent again at the next flush). Settings are documents of kind {@value #KIND}, shared by the
 * nodes; the queue is this node's (alarms are raised once across nodes), so a node that stops loses at most what
 * waited in its queue. Thread-safe.
 */
public final class Notifications implements NotificationsApi, AlarmListener {

    private static final Logger LOG = LoggerFactory.getLogger(Notifications.class);
    static final String KIND = "notification-settings";
    static final String OPERATORS = "operators";
    /** Alarms kept for one recipient at most; older ones are counted, not listed. */
    static final int MAX_QUEUED = 200;

    private final DocumentStore store;
    private final Registry registry;
    private final @Nullable Mailer mailer;
    private final @Nullable WebPushes pushes;
    private final Clock clock;
    private final Map<String, Settings> settings = new ConcurrentHashMap<>();
    private final Map<String, Queue> queues = new ConcurrentHashMap<>();

    /** How an alarm reaches someone. */
    enum Channel {
        EMAIL,
        PUSH
    }

    /** How long a queue that cannot be delivered is kept trying (a push service keeps a message as long). */
    static final java.time.Duration GIVE_UP_AFTER = java.time.Duration.ofHours(24);
    /** Alarm ids a push message lists at most (a push message holds about 4 KB). */
    static final int PUSHED_IDS = 20;

    /** What waits for one recipient on one channel (push: one browser): since when, the alarms, how many more. */
    private static final class Queue {
        final Instant since;
        final List<Alarm> alarms = new ArrayList<>();
        int dropped;
        /** Sent and removed from the map: alarms go to a new queue. */
        boolean closed;

        Queue(Instant since) {
            this.since = since;
        }
    }

    /** E-mail only. */
    public Notifications(DocumentStore store, Registry registry, @Nullable Mailer mailer, Clock clock) {
        this(store, registry, mailer, null, clock);
    }

    /**
     * @param mailer the SMTP server's sender, or null when there is none (e-mail waits)
     * @param pushes Web Push, or null when this server has none
     */
    public Notifications(
            DocumentStore store, Registry registry, @Nullable Mailer mailer, @Nullable WebPushes pushes, Clock clock) {
        this.store = store;
        this.registry = registry;
        this.mailer = mailer;
        this.pushes = pushes;
        this.clock = clock;
        store.documents(KIND).forEach((id, json) -> settings.put(id, ControlJson.read(json, Settings.class)));
    }

    public void refresh(StoreChanges changes) {
        DocumentCache.refresh(
                store,
                KIND,
                changes,
                settings.keySet(),
                (id, json) -> settings.put(id, ControlJson.read(json, Settings.class)),
                settings::remove);
        WebPushes p = pushes;
        if (p != null) {
            p.refresh(changes);
        }
    }

    private static String id(@Nullable Long customerId) {
        return customerId == null ? OPERATORS : "customer:" + customerId;
    }

    @Override
    public Settings of(@Nullable Long customerId) {
        return settings.getOrDefault(id(customerId), Settings.none());
    }

    @Override
    public Settings put(@Nullable Long customerId, Settings s) {
        store.saveDocument(KIND, id(customerId), ControlJson.write(s));
        settings.put(id(customerId), s);
        return s;
    }

    @Override
    public boolean canSend() {
        return mailer != null;
    }

    @Override
    public String pushKey() {
        return pushes().publicKey();
    }

    @Override
    public List<PushSubscription> pushSubscriptions(@Nullable Long customerId) {
        return pushes().of(id(customerId));
    }

    @Override
    public PushSubscription subscribe(@Nullable Long customerId, String endpoint, String p256dh, String auth) {
        return pushes().subscribe(id(customerId), endpoint, p256dh, auth);
    }

    @Override
    public boolean unsubscribe(@Nullable Long customerId, String id) {
        return pushes().unsubscribe(id(customerId), id);
    }

    private WebPushes pushes() {
        WebPushes p = pushes;
        if (p == null) {
            throw new IllegalStateException("this server has no Web Push");
        }
        return p;
    }

    @Override
    public void changed(Alarm alarm) {
        boolean raised = alarm.state() == Alarm.State.ACTIVE && alarm.occurrences() == 1;
        if (!raised) {
            return;
        }
        for (Channel channel : Channel.values()) {
            queue(channel, id(alarm.customerId()), alarm);
            queue(channel, OPERATORS, alarm);
        }
    }

    /** A queue's key: channel, recipient and (push) the browser's subscription. */
    private static String queueKey(Channel channel, String recipient, String subscription) {
        return channel.name() + "|" + recipient + "|" + subscription;
    }

    private void queue(Channel channel, String recipient, Alarm alarm) {
        Settings s = settings.get(recipient);
        boolean wanted = s != null
                && switch (channel) {
                    case EMAIL -> s.email() != null && takes(s, alarm);
                    case PUSH -> s.push() && pushTakes(s, alarm);
                };
        if (!wanted) {
            return;
        }
        WebPushes p = pushes;
        List<String> targets = channel == Channel.EMAIL
                ? List.of("")
                : p == null
                        ? List.of()
                        : p.of(recipient).stream().map(PushSubscription::id).toList();
        for (String target : targets) {
            String key = queueKey(channel, recipient, target);
            while (true) {
                Queue q = queues.computeIfAbsent(key, r -> new Queue(clock.instant()));
                synchronized (q) {
                    if (q.closed) {
                        continue; // just sent and removed: a new queue takes it
                    }
                    if (q.alarms.size() < MAX_QUEUED) {
                        q.alarms.add(alarm);
                    } else {
                        q.dropped++;
                    }
                    break;
                }
            }
        }
    }

    static boolean takes(Settings s, Alarm alarm) {
        return alarm.severity().compareTo(s.minSeverity()) >= 0
                && (s.types().isEmpty() || s.types().stream().anyMatch(alarm.type()::startsWith));
    }

    static boolean pushTakes(Settings s, Alarm alarm) {
        return alarm.severity().compareTo(s.pushMinSeverity()) >= 0
                && (s.pushTypes().isEmpty() || s.pushTypes().stream().anyMatch(alarm.type()::startsWith));
    }

    /**
     * Sends what is due: every queue whose digest window has passed, outside its recipient's quiet hours. A queue
     * is sent as one message (one e-mail to the recipient, one push to one browser); what was added to it meanwhile
     * stays for the next flush.
     */
    public void flush() {
        Instant now = clock.instant();
        for (String key : List.copyOf(queues.keySet())) {
            String[] parts = key.split("\\|", 3);
            Channel channel = Channel.valueOf(parts[0]);
            String recipient = parts[1];
            String subscription = parts[2];
            Settings s = settings.get(recipient);
            Queue q = queues.get(key);
            if (q == null) {
                continue;
            }
            String to = s == null ? null : s.email();
            boolean stillWanted = s != null && (channel == Channel.EMAIL ? to != null : s.push());
            if (!stillWanted) {
                drop(key, q); // no address any more, or push turned off
                continue;
            }
            if (q.since.plusSeconds(60L * s.digestMinutes()).isAfter(now) || quiet(s, zone(recipient), now)) {
                continue;
            }
            if (q.since.plus(GIVE_UP_AFTER).isBefore(now) && (channel == Channel.PUSH || mailer != null)) {
                LOG.warn(
                        "Alarm {} to {} given up after {}: {} alarms not sent",
                        channel == Channel.PUSH ? "push" : "e-mail",
                        recipient,
                        GIVE_UP_AFTER,
                        q.alarms.size() + q.dropped);
                drop(key, q);
                continue;
            }
            List<Alarm> alarms;
            int dropped;
            synchronized (q) {
                alarms = List.copyOf(q.alarms);
                dropped = q.dropped;
            }
            if (alarms.isEmpty() && dropped == 0) {
                drop(key, q);
                continue;
            }
            boolean sent = false;
            if (channel == Channel.EMAIL && to != null) {
                Mailer m = mailer;
                if (m == null) {
                    continue; // kept: an SMTP server may be configured at the next start
                }
                try {
                    m.send(to, subject(alarms, dropped), text(alarms, dropped));
                    sent = true;
                } catch (Mailer.MailFailure e) {
                    LOG.warn(
                            "Alarm e-mail to {} not sent now, tried again at the next flush: {}",
                            recipient,
                            e.getMessage());
                }
            } else if (channel == Channel.PUSH) {
                WebPushes p = pushes;
                if (p == null) {
                    drop(key, q);
                    continue;
                }
                Optional<String> failure = p.pushTo(subscription, recipient, pushPayload(recipient, alarms, dropped));
                if (failure.isEmpty()) {
                    sent = true;
                } else {
                    LOG.warn(
                            "Alarm push to {} not delivered now, tried again at the next flush: {}",
                            recipient,
                            failure.get());
                }
            }
            if (sent) {
                sentFrom(key, q, alarms.size(), dropped);
            }
        }
    }

    /** Takes what was sent off a queue; a queue left empty is closed and removed (a new alarm makes a new one). */
    private void sentFrom(String key, Queue q, int sent, int dropped) {
        synchronized (q) {
            q.alarms.subList(0, sent).clear();
            q.dropped -= dropped;
            if (q.alarms.isEmpty() && q.dropped == 0) {
                q.closed = true;
                queues.remove(key, q);
            }
        }
    }

    private void drop(String key, Queue q) {
        synchronized (q) {
            q.closed = true;
            queues.remove(key, q);
        }
    }

    /** What a browser shows: a title, a body, where a click leads and a tag that replaces an older one. */
    static byte[] pushPayload(String recipient, List<Alarm> alarms, int dropped) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("title", subject(alarms, dropped).substring("[Meterbase] ".length()));
        Alarm first = alarms.get(0);
        m.put(
                "body",
                alarms.size() == 1 && dropped == 0
                        ? first.message()
                        : first.type() + " on " + first.deviceRef() + " and " + (alarms.size() + dropped - 1)
                                + " more");
        m.put("url", recipient.equals(OPERATORS) ? "/operator.html#alarms" : "/customer.html#alarms");
        m.put("tag", "meterbase-alarms");
        m.put("alarms", alarms.stream().limit(PUSHED_IDS).map(Alarm::id).toList());
        return ControlJson.write(m).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private ZoneId zone(String recipient) {
        if (!recipient.startsWith("customer:")) {
            return ZoneOffset.UTC;
        }
        long customer = Long.parseLong(recipient.substring("customer:".length()));
        try {
            return registry.defaultSite(customer).zone();
        } catch (RuntimeException e) {
            return ZoneOffset.UTC;
        }
    }

    /** Whether {@code now} is within the quiet hours (which may span midnight). */
    static boolean quiet(Settings s, ZoneId zone, Instant now) {
        LocalTime from = s.quietFrom();
        LocalTime to = s.quietTo();
        if (from == null || to == null || from.equals(to)) {
            return false;
        }
        LocalTime t = now.atZone(zone).toLocalTime();
        return from.isBefore(to) ? !t.isBefore(from) && t.isBefore(to) : !t.isBefore(from) || t.isBefore(to);
    }

    static String subject(List<Alarm> alarms, int dropped) {
        if (alarms.size() == 1 && dropped == 0) {
            Alarm a = alarms.get(0);
            return "[Meterbase] " + a.severity().name().toLowerCase(java.util.Locale.ROOT) + ": " + a.type() + " on "
                    + a.deviceRef();
        }
        return "[Meterbase] " + (alarms.size() + dropped) + " alarms";
    }

    static String text(List<Alarm> alarms, int dropped) {
        StringBuilder b = new StringBuilder();
        for (Alarm a : alarms) {
            b.append(a.raisedAt())
                    .append("  ")
                    .append(a.severity().name().toLowerCase(java.util.Locale.ROOT))
                    .append("  ")
                    .append(a.type())
                    .append(" on ")
                    .append(a.deviceRef())
                    .append(" (customer ")
                    .append(a.customerId())
                    .append("): ")
                    .append(a.message())
                    .append('\n');
        }
        if (dropped > 0) {
            b.append("… and ").append(dropped).append(" more.\n");
        }
        b.append("\nSee them, acknowledge them and change what reaches you on the Meterbase pages.\n");
        return b.toString();
    }
}
