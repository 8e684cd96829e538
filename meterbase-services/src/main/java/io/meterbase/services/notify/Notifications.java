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

    /** What waits for one recipient on one channel: since when, the alarms, and how many more were not kept. */
    private static final class Queue {
        final Instant since;
        final List<Alarm> alarms = new ArrayList<>();
        int dropped;

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

    private static String queueKey(Channel channel, String recipient) {
        return channel.name() + "|" + recipient;
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
        Queue q = queues.computeIfAbsent(queueKey(channel, recipient), r -> new Queue(clock.instant()));
        synchronized (q) {
            if (q.alarms.size() < MAX_QUEUED) {
                q.alarms.add(alarm);
            } else {
                q.dropped++;
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

    /** Sends what is due: every queue whose digest window has passed, outside its recipient's quiet hours. */
    public void flush() {
        Instant now = clock.instant();
        for (String key : List.copyOf(queues.keySet())) {
            Channel channel = Channel.valueOf(key.substring(0, key.indexOf('|')));
            String recipient = key.substring(key.indexOf('|') + 1);
            Settings s = settings.get(recipient);
            Queue q = queues.get(key);
            if (q == null) {
                continue;
            }
            String to = s == null ? null : s.email();
            boolean stillWanted = s != null && (channel == Channel.EMAIL ? to != null : s.push());
            if (!stillWanted) {
                queues.remove(key, q); // no address any more, or push turned off
                continue;
            }
            if (q.since.plusSeconds(60L * s.digestMinutes()).isAfter(now) || quiet(s, zone(recipient), now)) {
                continue;
            }
            List<Alarm> alarms;
            int dropped;
            synchronized (q) {
                alarms = List.copyOf(q.alarms);
                dropped = q.dropped;
            }
            if (channel == Channel.EMAIL && to != null) {
                Mailer m = mailer;
                if (m == null) {
                    continue; // kept: an SMTP server may be configured at the next start
                }
                try {
                    m.send(to, subject(alarms, dropped), text(alarms, dropped));
                    queues.remove(key, q);
                } catch (Mailer.MailFailure e) {
                    LOG.warn(
                            "Alarm e-mail to {} not sent now, tried again at the next flush: {}",
                            recipient,
                            e.getMessage());
                }
            } else if (channel == Channel.PUSH) {
                WebPushes p = pushes;
                if (p == null) {
                    queues.remove(key, q);
                    continue;
                }
                try {
                    p.push(recipient, pushPayload(recipient, alarms, dropped));
                    queues.remove(key, q);
                } catch (WebPushes.PushFailure e) {
                    LOG.warn(
                            "Alarm push to {} not delivered now, tried again at the next flush: {}",
                            recipient,
                            e.getMessage());
                }
            }
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
        m.put("alarms", alarms.stream().map(Alarm::id).toList());
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
