package io.meterbase.app;

import io.meterbase.analytics.service.Analytics;
import io.meterbase.analytics.service.AnalyticsAnswers;
import io.meterbase.core.auth.AuthResult;
import io.meterbase.core.auth.ClientCertificates;
import io.meterbase.core.auth.DevicePsk;
import io.meterbase.core.auth.Principal;
import io.meterbase.core.device.AlarmFeed;
import io.meterbase.core.device.CommandOutbox;
import io.meterbase.core.energy.ChannelInfo;
import io.meterbase.core.energy.EnergyRules;
import io.meterbase.core.energy.RollupTracker;
import io.meterbase.core.health.Health;
import io.meterbase.core.ingest.DiskGuard;
import io.meterbase.core.ingest.DurableWriter;
import io.meterbase.core.ingest.FormatRegistry;
import io.meterbase.core.ingest.IngestLimits;
import io.meterbase.core.ingest.IngestService;
import io.meterbase.core.ingest.IngestSettings;
import io.meterbase.core.ingest.Intake;
import io.meterbase.core.ingest.LiveState;
import io.meterbase.core.ingest.Normalizer;
import io.meterbase.core.ingest.Presence;
import io.meterbase.core.ingest.QuarantineQuota;
import io.meterbase.core.ingest.WriterStatus;
import io.meterbase.core.model.Channel;
import io.meterbase.core.model.Role;
import io.meterbase.core.model.Site;
import io.meterbase.core.query.ConsumptionService;
import io.meterbase.core.query.HistoryService;
import io.meterbase.core.registry.Registry;
import io.meterbase.core.store.Compaction;
import io.meterbase.core.store.Leases;
import io.meterbase.core.store.QuarantineRetention;
import io.meterbase.core.store.RetentionJob;
import io.meterbase.core.store.Store;
import io.meterbase.core.store.StoreChanges;
import io.meterbase.formats.Formats;
import io.meterbase.formats.emoncms.EmoncmsInputs;
import io.meterbase.http.ApiContext;
import io.meterbase.http.HttpApi;
import io.meterbase.http.HttpLimits;
import io.meterbase.http.Tls;
import io.meterbase.identity.Accounts;
import io.meterbase.identity.ClientAuthorities;
import io.meterbase.identity.ClientRoot;
import io.meterbase.identity.Grants;
import io.meterbase.identity.Sessions;
import io.meterbase.services.Control;
import io.meterbase.services.json.ControlJson;
import io.meterbase.store.duckdb.DuckDbOptions;
import io.meterbase.store.duckdb.DuckDbParquetEncoder;
import io.meterbase.store.duckdb.DuckDbStore;
import io.meterbase.store.postgres.PostgresOptions;
import io.meterbase.store.postgres.PostgresStore;
import io.meterbase.transport.coap.CoapContext;
import io.meterbase.transport.coap.CoapSettings;
import io.meterbase.transport.coap.CoapTransport;
import io.meterbase.transport.mqtt.EmbeddedBroker;
import io.meterbase.transport.mqtt.ExternalBroker;
import io.meterbase.transport.mqtt.ExternalBrokerSettings;
import io.meterbase.transport.mqtt.MqttContext;
import io.meterbase.transport.mqtt.MqttSettings;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Meterbase server: the store, the registry, the ingest pipeline and the HTTP API, wired from one
 * configuration. {@link #close()} stops taking requests, makes everything queued durable and closes the store.
 */
public final class Meterbase implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Meterbase.class);

    private final Store store;
    private final Registry registry;
    private final DurableWriter writer;
    private final HttpApi http;
    private final @Nullable EmbeddedBroker mqtt;
    private final @Nullable CoapTransport coap;
    private final @Nullable ExternalBroker external;
    private final IngestService ingest;
    private final DiskGuard disk;
    private java.util.function.LongSupplier quarantineEntries = () -> -1;
    private final Presence presence;
    private final Control control;
    private final Analytics analytics;
    private final @Nullable String operatorSecret;
    /** What other nodes sharing the store change, taken into this node's caches (none on a store of one node). */
    private AutoCloseable changeFeed = () -> {};

    private final ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("meterbase-housekeeping").daemon(true).unstarted(r));
    private final ScheduledExecutorService compactions = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("meterbase-compaction").daemon(true).unstarted(r));

    private Meterbase(MeterbaseConfig config, Clock clock, FormatRegistry formats) {
        config.validate(); // before anything is made: a misspelt key or a bad value is one line, and nothing else
        this.store = openStore(config);
        // what has started, stopped again (newest first) if a later part cannot start
        java.util.Deque<AutoCloseable> started = new java.util.ArrayDeque<>();
        monthsAhead(store, clock).run();
        try {
            IngestSettings settings = config.ingestSettings();
            this.registry = new Registry(store.metadata(), store.documents(), clock);
            LiveState live = new LiveState();
            live.seed(store.readings().newestReadings());
            PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            MicrometerIngestMetrics ingestMetrics = new MicrometerIngestMetrics(metrics);
            RollupTracker rollups = new RollupTracker(
                    store.readings(),
                    channelInfo(registry),
                    new EnergyRules(settings.maxIntegrationGap().toMillis()));
            this.writer = new DurableWriter(
                            store.readings(),
                            rollups,
                            live::onDurable,
                            ingestMetrics,
                            DurableWriter.Settings.of(settings),
                            clock)
                    .start();
            started.push(writer);
            IngestLimits limits = new IngestLimits(limits(config), clock);
            this.disk = new DiskGuard(List.of(config.dataDir()), config.bytes("storage.min-free"));
            this.ingest = new IngestService(
                    new Normalizer(registry, settings, limits::allowRegistrations),
                    writer,
                    ingestMetrics,
                    clock,
                    limits,
                    disk,
                    new QuarantineQuota(
                            config.integer("quarantine.full-per-hour", 1, 1_000_000), Duration.ofHours(1), clock));
            this.presence = new Presence();
            DevicePsk psk = devicePsk(config);
            ConsumptionService consumption = new ConsumptionService(
                    registry, store.readings(), live, clock, config.duration("live.stale-after"));
            Leases leases = store.leases();
            // the default alarm rules are made by the first node to start on an empty store, not by each
            this.control = leases.exclusively(
                    "first start", () -> startControl(config, registry, store, live, consumption, clock));
            started.push(control);
            control.alarms()
                    .addListener(new io.meterbase.services.alarm.TamperRevocation(
                            registry,
                            java.util.Arrays.asList(
                                    config.string("security.revoke-on-events").split(","))));
            Intake intake = new Intake(
                    ingest,
                    formats,
                    new ServiceDeviceReports(presence, control.alarms(), control.commands(), registry),
                    new io.meterbase.formats.emoncms.EmoncmsMaps(store.documents(), clock),
                    clock);
            CommandOutbox outbox = new ServiceCommandOutbox(control.commands());
            AlarmFeed alarmFeed = subscriber -> control.alarms()
                    .addListener(alarm -> subscriber.accept(
                            new AlarmFeed.Change(alarm.customerId(), alarm.deviceRef(), ControlJson.write(alarm))));
            this.analytics = Analytics.start(
                    registry,
                    store,
                    consumption,
                    live,
                    control.alarms(),
                    clock,
                    new Analytics.Settings(
                            config.bool("analytics.enabled"),
                            config.positiveDuration("analytics.every"),
                            config.duration("analytics.first-run"),
                            config.positiveDuration("analytics.retrain-every"),
                            config.integer("analytics.sample-meters", 1, 1_000_000),
                            config.positiveDuration("analytics.cluster-every"),
                            config.integer("analytics.cluster-days", 14, 3660),
                            config.choice("analytics.jobs", "server", "spark").equals("spark")
                                    ? Analytics.Jobs.SPARK
                                    : Analytics.Jobs.SERVER));
            started.push(analytics);
            Accounts accounts = new Accounts(store.documents(), clock);
            Grants grants = new Grants(store.documents(), clock);
            Sessions sessions = new Sessions(store.documents(), clock);
            ClientAuthorities authorities = clientAuthorities(config, store, clock);
            if (store.shared()) {
                // one cache's failure (an unreadable document) does not keep the changes from the others; the feed
                // and the periodic full read take turns, so a full read never overtakes a newer change
                Map<String, java.util.function.Consumer<StoreChanges>> parts = new java.util.LinkedHashMap<>();
                parts.put("registry", registry::refresh);
                parts.put("accounts", accounts::refresh);
                parts.put("grants", grants::refresh);
                parts.put("sessions", sessions::refresh);
                if (authorities != null) {
                    parts.put("certificate authorities", authorities::refresh);
                }
                parts.put("services", control::refresh);
                Object turns = new Object();
                java.util.function.Consumer<StoreChanges> caches = changes -> {
                    synchronized (turns) {
                        parts.forEach((name, part) -> {
                            try {
                                part.accept(changes);
                            } catch (RuntimeException e) {
                                LOG.warn("Taking in other nodes' changes to {} failed: {}", name, e.toString());
                            }
                        });
                    }
                };
                this.changeFeed = store.listen(caches);
                started.push(changeFeed);
                long every = config.positiveDuration("cluster.refresh-every").toMillis();
                long liveEvery = config.positiveDuration("cluster.live-every").toMillis();
                housekeeping.scheduleWithFixedDelay(
                        () -> whenShared(
                                store, "read everything again", () -> caches.accept(StoreChanges.everything())),
                        every,
                        every,
                        TimeUnit.MILLISECONDS);
                // live values: the newest readings every node stored, read again every few seconds
                housekeeping.scheduleWithFixedDelay(
                        () -> whenShared(
                                store,
                                "read other nodes' live values",
                                () -> live.seed(
                                        store.readings().newestReadingsSince(clock.millis() - 60_000 - 3 * liveEvery))),
                        liveEvery,
                        liveEvery,
                        TimeUnit.MILLISECONDS);
            }
            ApiContext api = new ApiContext(
                    registry,
                    intake,
                    store.readings(),
                    accounts,
                    sessions,
                    grants,
                    live,
                    consumption,
                    new HistoryService(store.readings()),
                    new DuckDbParquetEncoder(),
                    presence,
                    psk,
                    control,
                    new AnalyticsAnswers(analytics),
                    metrics,
                    this::health,
                    () -> node(config),
                    clock,
                    config.integer("http.max-body-bytes", 1024, Integer.MAX_VALUE),
                    authorities);
            Tls tls = tls(config);
            this.http = HttpApi.start(
                    api,
                    config.string("http.host"),
                    config.integer("http.port", 0, 65535),
                    tls,
                    new HttpLimits(
                            config.positiveMillis("http.idle-timeout"),
                            config.positiveMillis("http.header-timeout"),
                            config.integer("http.min-body-bytes-per-second", 0, Integer.MAX_VALUE)),
                    HttpApi.PlainHttp.parse(config.string("http.plain")));
            started.push(http);
            this.mqtt = config.bool("mqtt.enabled")
                    ? EmbeddedBroker.start(
                            new MqttSettings(
                                    config.string("mqtt.host"),
                                    config.integer("mqtt.port", 0, 65535),
                                    config.dataDir().resolve("mqtt"),
                                    (int) Math.min(Integer.MAX_VALUE - 8, config.bytes("mqtt.max-packet-bytes")),
                                    mqttInMemory(config),
                                    onOrOff(config, "mqtt.plain"),
                                    tls == null || !onOrOff(config, "mqtt.tls")
                                            ? null
                                            : mqttTls(config, tls, authorities)),
                            new MqttContext(
                                    registry,
                                    intake,
                                    presence,
                                    clock,
                                    outbox,
                                    alarmFeed,
                                    authorities == null ? ClientCertificates.NONE : authorities))
                    : null;
            if (mqtt != null) {
                started.push(mqtt);
            }
            this.external = config.string("mqtt.external.url").isBlank()
                    ? null
                    : connectExternal(
                            config,
                            new MqttContext(
                                    registry, intake, presence, clock, outbox, alarmFeed, ClientCertificates.NONE));
            if (external != null) {
                started.push(external);
            }
            this.coap = config.bool("coap.enabled")
                    ? CoapTransport.start(
                            new CoapSettings(
                                    config.string("coap.host"),
                                    config.integer("coap.port", 0, 65535),
                                    config.integer("coap.dtls-port", 0, 65535)),
                            new CoapContext(registry, intake, psk, outbox, config.bool("coap.customer-psk")))
                    : null;
            housekeeping.scheduleWithFixedDelay(
                    leased(leases, "retention", new RetentionJob(store.readings(), clock, settings.retention())),
                    1,
                    3600,
                    TimeUnit.SECONDS);
            store.compaction()
                    .filter(c -> config.bool("store.postgres.compaction"))
                    .ifPresent(c -> scheduleCompaction(c, leases, config, metrics, clock));
            housekeeping.scheduleWithFixedDelay(disk::check, 1, 1, TimeUnit.SECONDS);
            // rate limits held by the nodes together: what was spent here told, what the others spent taken here
            housekeeping.scheduleWithFixedDelay(() -> shareLimits(store, limits), 1, 1, TimeUnit.SECONDS);
            housekeeping.scheduleWithFixedDelay(ingest::storeQuotaSummaries, 60, 60, TimeUnit.SECONDS);
            QuarantineRetention quarantine = new QuarantineRetention(
                    store.readings(),
                    clock,
                    config.duration("quarantine.retention"),
                    config.bytes("quarantine.max-entries"));
            housekeeping.scheduleWithFixedDelay(
                    leased(leases, "quarantine retention", quarantine), 5, 3600, TimeUnit.SECONDS);
            housekeeping.scheduleWithFixedDelay(
                    leased(leases, "session pruning", () -> {
                        sessions.prune();
                        accounts.pruneUnknown();
                    }),
                    600,
                    3600,
                    TimeUnit.SECONDS);
            this.quarantineEntries = quarantine::entries;
            registerHealthMetrics(metrics);
            housekeeping.scheduleWithFixedDelay(monthsAhead(store, clock), 3600, 3600, TimeUnit.SECONDS);
            // last: a start that failed before this made no key that nobody saw
            this.operatorSecret = leases.exclusively("first start", () -> {
                if (store.shared()) {
                    registry.reload(); // another node may have made it since this one read the store
                }
                return registry.hasOperatorKey()
                        ? null
                        : registry.createKey(0, Role.OPERATOR, "first operator key")
                                .secret();
            });
        } catch (RuntimeException e) {
            while (!started.isEmpty()) {
                try {
                    started.pop().close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            store.close();
            throw e;
        }
    }

    /** Work for nodes that share the store with others right now (skipped while this node is alone on it). */
    private static void whenShared(Store store, String what, Runnable work) {
        try {
            if (store.nodes() > 1) {
                work.run();
            }
        } catch (RuntimeException e) {
            LOG.warn("Could not {}: {}; trying again at the next turn", what, e.toString());
        }
    }

    /**
     * Tells the other nodes what was spent of each rate limit here and takes what they spent from the allowances
     * here; alone on the store, only forgets what was spent here.
     */
    private static void shareLimits(Store store, IngestLimits limits) {
        try {
            limits.share(
                    store.shared() && store.nodes() > 1
                            ? store.allowances()
                            : io.meterbase.core.store.SharedAllowances.ALONE);
        } catch (RuntimeException e) {
            LOG.warn("Could not share rate limits with the other nodes: {}; trying again in a second", e.toString());
        }
    }

    /** Packs closed days on the node holding the lease, on a thread of its own (a day takes a while). */
    private void scheduleCompaction(
            Compaction compaction,
            Leases leases,
            MeterbaseConfig config,
            io.micrometer.core.instrument.MeterRegistry metrics,
            Clock clock) {
        Duration after = config.duration("store.postgres.compact-after");
        long every = Math.max(1, config.duration("store.postgres.compact-every").toSeconds());
        io.micrometer.core.instrument.Counter readings = io.micrometer.core.instrument.Counter.builder(
                        "meterbase.store.compacted.readings")
                .description("readings packed into compressed days")
                .register(metrics);
        io.micrometer.core.instrument.Counter packed = io.micrometer.core.instrument.Counter.builder(
                        "meterbase.store.packed.bytes")
                .description("bytes the packed days take")
                .baseUnit("bytes")
                .register(metrics);
        io.micrometer.core.instrument.Counter saved = io.micrometer.core.instrument.Counter.builder(
                        "meterbase.store.compaction.saved.bytes")
                .description("bytes the packed readings took as raw rows, less what they take packed")
                .baseUnit("bytes")
                .register(metrics);
        compactions.scheduleWithFixedDelay(
                leased(leases, "compaction", () -> {
                    Compaction.Report r = compaction.compact(clock.instant(), after, line -> {});
                    readings.increment(r.readings());
                    packed.increment(r.packedBytes());
                    saved.increment(r.bytesSaved());
                }),
                Math.min(60, every),
                every,
                TimeUnit.SECONDS);
    }

    /** Work that runs on the node holding its lease only (every time, on a store of one node). */
    private static Runnable leased(Leases leases, String what, Runnable work) {
        return () -> {
            try {
                if (leases.holds(what)) {
                    work.run();
                }
            } catch (RuntimeException e) {
                LOG.warn("Periodic work '{}' failed; it runs again at its next time", what, e);
            }
        };
    }

    /** The stores Meterbase can run on, by the name {@code store} gives; adding one is one entry. */
    private static final Map<String, Function<MeterbaseConfig, Store>> STORES = new TreeMap<>(Map.of(
            "duckdb",
            config -> DuckDbStore.open(new DuckDbOptions(
                    config.dataDir(),
                    config.string("store.duckdb.memory-limit"),
                    config.integer("store.duckdb.threads", 1, 64),
                    4,
                    config.string("store.duckdb.checkpoint-threshold"))),
            "postgres",
            config -> PostgresStore.open(postgresOptions(config))));

    /** The store the configuration names: the embedded DuckDB store or PostgreSQL. */
    static Store openStore(MeterbaseConfig config) {
        Function<MeterbaseConfig, Store> open = STORES.get(config.string("store"));
        if (open == null) {
            throw new IllegalArgumentException(
                    "store: must be one of " + STORES.keySet() + ", was " + config.string("store"));
        }
        return open.apply(config);
    }

    static PostgresOptions postgresOptions(MeterbaseConfig config) {
        return new PostgresOptions(
                config.string("store.postgres.url"),
                config.string("store.postgres.user"),
                config.string("store.postgres.password"),
                config.integer("store.postgres.pool-size", 2, 200),
                config.bool("store.postgres.migrate"));
    }

    /** Creates this month's and next month's reading storage, so no write waits for it. */
    private static Runnable monthsAhead(Store store, Clock clock) {
        return () -> {
            try {
                YearMonth now = YearMonth.now(clock.withZone(ZoneOffset.UTC));
                store.readings().ensureMonth(now);
                store.readings().ensureMonth(now.plusMonths(1));
            } catch (RuntimeException e) {
                LOG.warn("Could not create the coming months' storage; retried in an hour: {}", e.toString());
            }
        };
    }

    /** Starts a server; fails with the reason when the configuration or the store is unusable. */
    public static Meterbase start(MeterbaseConfig config, Clock clock) {
        return new Meterbase(config, clock, formats(config));
    }

    /**
     * Starts a server that understands the given formats (the built-in ones with more registered, see
     * {@link #formats}); each format is taken over HTTP, MQTT and CoAP alike.
     */
    public static Meterbase start(MeterbaseConfig config, Clock clock, FormatRegistry formats) {
        return new Meterbase(config, clock, formats);
    }

    /** The built-in formats as the configuration sets them up (emoncms node layouts). */
    public static FormatRegistry formats(MeterbaseConfig config) {
        return Formats.builtIn(new EmoncmsInputs(config.emoncmsLayouts()));
    }

    static ChannelInfo channelInfo(Registry registry) {
        return new ChannelInfo() {
            @Override
            public Optional<Channel> channel(int channelId) {
                return registry.channel(channelId);
            }

            @Override
            public ZoneId zone(int channelId) {
                return registry.channel(channelId)
                        .flatMap(c -> registry.device(c.deviceId()))
                        .flatMap(d -> registry.site(d.siteId()))
                        .map(Site::zone)
                        .orElse(ZoneOffset.UTC);
            }
        };
    }

    private ExternalBroker connectExternal(MeterbaseConfig config, MqttContext context) {
        Principal principal =
                switch (registry.authenticate(config.string("mqtt.external.customer-key"))) {
                    case AuthResult.Accepted a when !a.principal().isOperator() -> a.principal();
                    case AuthResult.Accepted a ->
                        throw new IllegalArgumentException(
                                "mqtt.external.customer-key: must be a customer's API key, not an operator's");
                    case AuthResult.Refused r ->
                        throw new IllegalArgumentException(
                                "mqtt.external.customer-key: must be a customer's API key (" + r.reason() + ")");
                };
        return ExternalBroker.connect(
                new ExternalBrokerSettings(
                        java.net.URI.create(config.string("mqtt.external.url")),
                        config.string("mqtt.external.username"),
                        config.string("mqtt.external.password"),
                        config.string("mqtt.external.client-id"),
                        config.string("mqtt.external.share-group"),
                        ExternalBrokerSettings.DEFAULT_TOPICS),
                context,
                principal.customerId(),
                principal.keyId(),
                new ExternalBroker.SessionLeases() {
                    // one node takes over an offline node's session: the holder of its lease in the store
                    @Override
                    public boolean take(String clientId) {
                        return store.leases().holds("mqtt session " + clientId);
                    }

                    @Override
                    public void release(String clientId) {
                        store.leases().release("mqtt session " + clientId);
                    }
                });
    }

    private static Control startControl(
            MeterbaseConfig config,
            Registry registry,
            Store store,
            LiveState live,
            ConsumptionService consumption,
            Clock clock) {
        try {
            return Control.start(
                    registry,
                    store,
                    live,
                    consumption,
                    clock,
                    config.dataDir(),
                    new Control.Settings(
                            config.integer("community.min-customers", 1, 1_000_000),
                            config.duration("commands.ttl"),
                            config.duration("commands.keep-finished"),
                            config.duration("community.energy-refresh"),
                            config.bool("alarms.default-rules"),
                            config.duration("alarms.webhook-first-retry"),
                            io.meterbase.services.alarm.WebhookDestinations.allowing(java.util.Arrays.asList(
                                    config.string("webhooks.allow-ranges").split(","))),
                            mailer(config),
                            pushSubject(config)));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(
                    "could not read or create the command signing key in " + config.dataDir(), e);
        }
    }

    private static DevicePsk devicePsk(MeterbaseConfig config) {
        try {
            return DevicePsk.fromFile(config.dataDir().resolve("device-psk.secret"));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("could not read or create the device key secret in " + config.dataDir(), e);
        }
    }

    /** The CoAP UDP port, or -1 when CoAP is off. */
    public int coapPort() {
        return coap == null ? -1 : coap.port();
    }

    /** The CoAP DTLS port, or -1 when CoAP is off. */
    public int coapDtlsPort() {
        return coap == null ? -1 : coap.dtlsPort();
    }

    /** The MQTT port, or -1 when the broker or its plain listener is off. */
    public int mqttPort() {
        return mqtt == null ? -1 : mqtt.port();
    }

    /** The MQTT over TLS port, or -1 when it is off. */
    public int mqttTlsPort() {
        return mqtt == null ? -1 : mqtt.tlsPort();
    }

    /** The MQTT over WebSocket with TLS port (path {@code /mqtt}), or -1 when it is off. */
    public int mqttWebsocketPort() {
        return mqtt == null ? -1 : mqtt.websocketPort();
    }

    /** A setting that is {@code on} or {@code off}. */
    private static boolean onOrOff(MeterbaseConfig config, String key) {
        return switch (config.string(key).trim().toLowerCase(java.util.Locale.ROOT)) {
            case "on" -> true;
            case "off" -> false;
            default -> throw new IllegalArgumentException(key + ": on or off, was '" + config.string(key) + "'");
        };
    }

    /**
     * How push services reach this server's operator (the VAPID subject): {@code notifications.push.contact}, or a
     * {@code mailto:} of the e-mail sender.
     */
    private static String pushSubject(MeterbaseConfig config) {
        String contact = config.string("notifications.push.contact").strip();
        if (contact.isEmpty()) {
            contact = config.string("notifications.smtp.from").strip();
        }
        return contact.startsWith("https://") || contact.startsWith("mailto:") ? contact : "mailto:" + contact;
    }

    /** The SMTP server alarm e-mail goes through, or null when {@code notifications.smtp.host} is empty. */
    private static io.meterbase.services.notify.@Nullable Mailer mailer(MeterbaseConfig config) {
        String host = config.string("notifications.smtp.host");
        if (host.isBlank()) {
            return null;
        }
        return new io.meterbase.services.notify.SmtpMailer(
                host.trim(),
                config.integer("notifications.smtp.port", 1, 65535),
                io.meterbase.services.notify.SmtpMailer.Security.valueOf(
                        config.choice("notifications.smtp.security", "starttls", "tls", "none")
                                .toUpperCase(java.util.Locale.ROOT)),
                config.string("notifications.smtp.username"),
                config.string("notifications.smtp.password"),
                config.string("notifications.smtp.from"));
    }

    /** MQTT over TLS with the HTTPS keystore, asking for client certificates when they are on. */
    private static MqttSettings.Tls mqttTls(MeterbaseConfig config, Tls tls, @Nullable ClientAuthorities authorities) {
        MqttSettings.Tls mqttTls = new MqttSettings.Tls(
                tls.keystore(),
                tls.password(),
                config.integer("mqtt.tls.port", 0, 65535),
                config.integer("mqtt.tls.websocket-port", -1, 65535));
        return authorities == null
                ? mqttTls
                : mqttTls.withClientTrust(
                        authorities.root().trustStore(), authorities.root().trustStorePassword());
    }

    /**
     * The customers' certificate authorities for devices' client certificates, when {@code tls.client-certificates}
     * is on (it needs HTTPS: the certificates are presented over TLS).
     */
    private static @Nullable ClientAuthorities clientAuthorities(MeterbaseConfig config, Store store, Clock clock) {
        if (!config.bool("tls.client-certificates")) {
            return null;
        }
        if (config.string("http.tls.keystore").isBlank() && !config.bool("http.tls.self-signed")) {
            throw new IllegalArgumentException(
                    "tls.client-certificates=true needs TLS: set http.tls.keystore or http.tls.self-signed=true");
        }
        return new ClientAuthorities(
                store.documents(), ClientRoot.open(config.dataDir().resolve("tls")), clock);
    }

    /** HTTPS settings: a configured keystore, a self-signed one when asked, or none. */
    private static @Nullable Tls tls(MeterbaseConfig config) {
        String keystore = config.string("http.tls.keystore");
        String password = config.string("http.tls.keystore-password");
        int port = config.integer("http.tls.port", 0, 65535);
        if (!keystore.isBlank()) {
            return new Tls(Path.of(keystore), password, port);
        }
        if (config.bool("http.tls.self-signed")) {
            return Tls.selfSigned(config.dataDir().resolve("tls"), port);
        }
        return null;
    }

    /** Every HTTP route, as {@code "GET /api/v1/latest"}. */
    public java.util.List<String> httpRoutes() {
        return http.routes();
    }

    /** The HTTPS port, or -1 when HTTPS is off. */
    public int httpsPort() {
        return http.tlsPort();
    }

    public int httpPort() {
        return http.port();
    }

    /** Who is connected, as the transports report it. */
    public Presence presenceForTests() {
        return presence;
    }

    /** The pipeline's entry, for tools and tests that submit uploads without a transport. */
    public IngestService ingestForTests() {
        return ingest;
    }

    public Control control() {
        return control;
    }

    public Analytics analytics() {
        return analytics;
    }

    public Registry registry() {
        return registry;
    }

    public Store store() {
        return store;
    }

    /** The secret of the operator key created at this start, when the store had none; shown once. */
    public Optional<String> newOperatorSecret() {
        return Optional.ofNullable(operatorSecret);
    }

    /**
     * Stops in order: no new HTTP connections; what is queued is written (within {@code ingest.shutdown-drain}), so
     * that uploads and publishes in progress get their answer, while new ones are refused (503, negative PUBACK) and
     * sent again by their senders; then the transports, the services that live off durable readings, and the store.
     */
    @Override
    public void close() {
        LOG.info("Stopping: no new requests; writing what is queued");
        housekeeping.shutdownNow();
        compactions.shutdownNow();
        try {
            changeFeed.close();
        } catch (Exception e) {
            LOG.warn("Change feed did not close: {}", e.toString());
        }
        http.stopAccepting();
        writer.close();
        if (mqtt != null) {
            mqtt.close();
        }
        if (coap != null) {
            coap.close();
        }
        if (external != null) {
            external.close();
        }
        http.close();
        analytics.close();
        control.close();
        if (writer.stopped()) {
            store.close();
        } else {
            // closing the store under a write that hangs could break the store's files; they are safe as they are
            LOG.warn("The store's last write did not end; stopping without closing the store");
        }
        LOG.info("Stopped");
    }

    /** This node for the console: its store, its settings in effect and the commands that change a node. */
    private Map<String, Object> node(MeterbaseConfig config) {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        out.put("version", Meterbase.class.getPackage().getImplementationVersion());
        out.put("java", Runtime.version().toString());
        out.put("data_dir", config.dataDir().toAbsolutePath().toString());
        out.put("store", config.string("store"));
        out.put("settings", config.described());
        out.put(
                "commands",
                List.of(
                        Map.of(
                                "command",
                                "meterbase serve --config meterbase.properties",
                                "what",
                                "start this node with the settings of a file (key=value lines); MB_<KEY> environment"
                                        + " variables override the file"),
                        Map.of("command", "meterbase settings", "what", "every setting, its default and meaning"),
                        Map.of(
                                "command",
                                "meterbase operator-key --data <data.dir>",
                                "what",
                                "a new admin key, on the machine that holds the data (the server stopped)"),
                        Map.of("command", "meterbase migrate", "what", "bring the store's tables up to date"),
                        Map.of(
                                "command",
                                "meterbase rebuild-rollups --from <date>",
                                "what",
                                "compute the hourly and daily figures again from the readings"),
                        Map.of(
                                "command",
                                "meterbase move-to-postgres",
                                "what",
                                "copy an embedded store's history into PostgreSQL"),
                        Map.of(
                                "command",
                                "meterbase analyst --name <login> --customers <ids>",
                                "what",
                                "a read-only PostgreSQL login for an analyst")));
        return out;
    }

    /** The state of each part, for {@code /health}. */
    public Health health() {
        List<Health.Check> checks = new ArrayList<>();
        WriterStatus w = writer.status();
        Map<String, Object> storeFigures =
                Map.of("queue_readings", w.pending(), "readings_per_second", Math.round(w.readingsPerSecond()));
        checks.add(
                w.failing()
                        ? new Health.Check(
                                "store", Health.Status.DOWN, "the store cannot write: " + w.lastError(), storeFigures)
                        : new Health.Check("store", Health.Status.UP, "writing", storeFigures));
        Map<String, Object> diskFigures = Map.of("free_bytes", disk.freeBytes(), "min_free_bytes", disk.minFreeBytes());
        checks.add(disk.refusal()
                .map(why -> new Health.Check("disk", Health.Status.DEGRADED, why, diskFigures))
                .orElseGet(() -> new Health.Check("disk", Health.Status.UP, "enough free space", diskFigures)));
        if (mqtt != null) {
            checks.add(
                    mqtt.listening()
                            ? new Health.Check(
                                    "mqtt",
                                    Health.Status.UP,
                                    "listening on port " + (mqtt.port() >= 0 ? mqtt.port() : mqtt.tlsPort()),
                                    Map.of())
                            : new Health.Check(
                                    "mqtt",
                                    Health.Status.DEGRADED,
                                    "the broker does not accept connections on port "
                                            + (mqtt.port() >= 0 ? mqtt.port() : mqtt.tlsPort()),
                                    Map.of()));
        }
        return Health.of(checks);
    }

    private void registerHealthMetrics(io.micrometer.core.instrument.MeterRegistry metrics) {
        io.micrometer.core.instrument.Gauge.builder("meterbase.disk.free.bytes", disk, DiskGuard::freeBytes)
                .description("least free space of the disks holding data.dir")
                .register(metrics);
        io.micrometer.core.instrument.Gauge.builder("meterbase.disk.min.free.bytes", disk, DiskGuard::minFreeBytes)
                .description("free space below which new readings are refused")
                .register(metrics);
        io.micrometer.core.instrument.Gauge.builder(
                        "meterbase.ingest.paused", disk, d -> d.refusal().isPresent() ? 1 : 0)
                .description("1 while new readings are refused for lack of disk space")
                .register(metrics);
        io.micrometer.core.instrument.Gauge.builder(
                        "meterbase.store.failing", writer, w -> w.status().failing() ? 1 : 0)
                .description("1 while the store's writes fail (nothing is acknowledged)")
                .register(metrics);
        io.micrometer.core.instrument.Gauge.builder(
                        "meterbase.quarantine.entries", this, m -> m.quarantineEntries.getAsLong())
                .description("refused inputs kept (counted at each retention run)")
                .register(metrics);
    }

    /** The readings limits from the {@code ingest.rate-limit.*} keys; bursts of 0 mean ten seconds' worth. */
    static IngestLimits.Settings limits(MeterbaseConfig config) {
        double perKey = Double.parseDouble(config.string("ingest.rate-limit.readings-per-second"));
        double keyBurst = Double.parseDouble(config.string("ingest.rate-limit.burst"));
        double perCustomer = Double.parseDouble(config.string("ingest.rate-limit.customer-readings-per-second"));
        double customerBurst = Double.parseDouble(config.string("ingest.rate-limit.customer-burst"));
        return new IngestLimits.Settings(
                perKey,
                keyBurst > 0 ? keyBurst : perKey * 10,
                perCustomer,
                customerBurst > 0 ? customerBurst : perCustomer * 10,
                config.integer("ingest.rate-limit.new-devices-per-minute", 0, Integer.MAX_VALUE),
                config.integer("ingest.rate-limit.unauthenticated-per-minute", 0, Integer.MAX_VALUE));
    }

    private static boolean mqttInMemory(MeterbaseConfig config) {
        return switch (config.string("mqtt.persistence")) {
            case "file" -> false;
            case "in-memory" -> true;
            default ->
                throw new IllegalArgumentException(
                        "mqtt.persistence: must be file or in-memory, was " + config.string("mqtt.persistence"));
        };
    }
}
