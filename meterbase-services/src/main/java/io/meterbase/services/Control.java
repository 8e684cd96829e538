package io.meterbase.services;

import io.meterbase.core.api.GatewayAnswer;
import io.meterbase.core.api.ServicesApi;
import io.meterbase.core.api.command.Command;
import io.meterbase.core.api.community.Comparison;
import io.meterbase.core.api.community.GridState;
import io.meterbase.core.api.community.Metric;
import io.meterbase.core.ingest.LiveState;
import io.meterbase.core.model.Site;
import io.meterbase.core.query.Commodity;
import io.meterbase.core.query.ConsumptionService;
import io.meterbase.core.query.CustomerSummary;
import io.meterbase.core.registry.Registry;
import io.meterbase.core.store.DocumentStore;
import io.meterbase.core.store.Leases;
import io.meterbase.core.store.Store;
import io.meterbase.core.store.StoreChanges;
import io.meterbase.services.alarm.AlarmService;
import io.meterbase.services.alarm.WebhookDestinations;
import io.meterbase.services.alarm.Webhooks;
import io.meterbase.services.command.CommandService;
import io.meterbase.services.command.CommandSigner;
import io.meterbase.services.community.CommunityFeeder;
import io.meterbase.services.community.CommunityStats;
import io.meterbase.services.community.GridMonitor;
import io.meterbase.services.dr.DemandResponse;
import io.meterbase.services.dr.Schedules;
import io.meterbase.services.json.ControlJson;
import io.meterbase.services.tariff.Biller;
import io.meterbase.services.tariff.CustomerGroups;
import io.meterbase.services.tariff.RollupUsage;
import io.meterbase.services.tariff.TariffBook;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Customer insight and control, started as one: tariffs and bills, community comparison and grid state,
 * commands, schedules and demand response, and the periodic work that drives them (every second: live power
 * ranks, command delivery and expiry, schedules, events; every {@code energyRefresh}: energy ranks).
 */
public final class Control implements ServicesApi, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Control.class);

    /** The settings of the control services. */
    public record Settings(
            int communityMinCustomers,
            Duration commandTtl,
            Duration keepFinishedCommands,
            Duration energyRefresh,
            boolean defaultAlarmRules,
            Duration webhookFirstRetry,
            WebhookDestinations webhookDestinations,
            io.meterbase.services.notify.@Nullable Mailer mailer,
            String pushSubject) {}

    private final Registry registry;
    private final ConsumptionService consumption;
    private final TariffBook tariffs;
    private final CustomerGroups groups;
    private final Biller biller;
    private final CommunityStats community;
    private final CommunityFeeder feeder;
    private final GridMonitor grid;
    private final CommandService commands;
    private final DemandResponse demandResponse;
    private final Schedules schedules;
    private final AlarmService alarms;
    private final io.meterbase.services.meters.Meters meters;
    private final Webhooks webhooks;
    private final DocumentStore documentStore;
    private final io.meterbase.services.notify.Notifications notifications;
    private final Leases leases;
    private static final long COST_CACHE_NANOS = TimeUnit.SECONDS.toNanos(5);
    private final Map<String, ZoneId> communityZones = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<Long, CachedCost> costCache = new java.util.concurrent.ConcurrentHashMap<>();
    private final ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "meterbase-control");
        t.setDaemon(true);
        return t;
    });
    /**
     * Alarm e-mail and push go out on their own thread: an SMTP server or a customer's push service that is slow to
     * answer holds up only the next notifications, never demand response, commands or schedules.
     */
    private final ScheduledExecutorService notifying = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "meterbase-notify");
        t.setDaemon(true);
        return t;
    });

    private Control(
            Registry registry,
            Store store,
            LiveState live,
            ConsumptionService consumption,
            Clock clock,
            CommandSigner signer,
            Settings settings) {
        this.registry = registry;
        this.consumption = consumption;
        this.leases = store.leases();
        DocumentStore documents = store.documents();
        this.documentStore = documents;
        this.tariffs = new TariffBook(documents);
        this.groups = new CustomerGroups(documents);
        this.biller = new Biller(
                tariffs,
                groups,
                new RollupUsage(
                        registry, consumption, new io.meterbase.core.query.EnergyBalance(registry, store.readings())),
                clock);
        this.community = new CommunityStats(settings.communityMinCustomers());
        this.feeder = new CommunityFeeder(registry, consumption, store.readings(), live, community, clock);
        this.commands = new CommandService(
                registry, documents, signer, clock, settings.commandTtl(), settings.keepFinishedCommands());
        this.demandResponse = new DemandResponse(registry, documents, store.readings(), consumption, commands, clock);
        this.grid = new GridMonitor(documents, community, biller, demandResponse::activeEvents, this::zoneOf, clock);
        this.schedules = new Schedules(registry, documents, commands, clock);
        this.alarms = new AlarmService(registry, documents, live, clock);
        this.meters = new io.meterbase.services.meters.Meters(
                registry, documents, consumption, store.readings(), alarms, clock);
        this.webhooks = new Webhooks(documents, settings.webhookFirstRetry(), settings.webhookDestinations(), clock);
        alarms.addListener(webhooks);
        this.notifications = new io.meterbase.services.notify.Notifications(
                documents,
                registry,
                settings.mailer(),
                new io.meterbase.services.notify.WebPushes(
                        documents, settings.webhookDestinations(), settings.pushSubject(), clock),
                clock);
        alarms.addListener(notifications);
        if (settings.defaultAlarmRules()) {
            alarms.addDefaultRulesIfNone();
        }
    }

    /** Starts the services; the signing key is kept in {@code dataDir}. */
    public static Control start(
            Registry registry,
            Store store,
            LiveState live,
            ConsumptionService consumption,
            Clock clock,
            Path dataDir,
            Settings settings)
            throws IOException {
        Path keyFile = dataDir.resolve("command-signing.key");
        CommandSigner signer =
                store.shared() ? CommandSigner.shared(store.documents(), keyFile) : CommandSigner.inFile(keyFile);
        Control c = new Control(registry, store, live, consumption, clock, signer, settings);
        c.ticks.execute(c::refreshEnergy);
        c.ticks.scheduleWithFixedDelay(c::everySecond, 1, 1, TimeUnit.SECONDS);
        c.notifying.scheduleWithFixedDelay(
                () -> guarded("alarm e-mail and push", c.notifications::flush), 5, 5, TimeUnit.SECONDS);
        long refresh = Math.max(1, settings.energyRefresh().toSeconds());
        c.ticks.scheduleWithFixedDelay(c::refreshEnergy, refresh, refresh, TimeUnit.SECONDS);
        c.ticks.scheduleWithFixedDelay(
                () -> c.leased("silent devices", c.alarms::checkSilence), 5, 5, TimeUnit.SECONDS);
        // district and feeder balances: yesterday's losses against their alarm, checked every hour by one node
        c.ticks.scheduleWithFixedDelay(
                () -> c.leased("district balances", c.meters::checkBalances), 60, 3600, TimeUnit.SECONDS);
        return c;
    }

    /**
     * Takes in what other nodes sharing the store changed: tariffs, groups, community settings, commands, relay
     * states, demand-response programs and events, schedules, alarm rules, alarms and webhooks.
     */
    public void refresh(StoreChanges changes) {
        tariffs.refresh(changes);
        groups.refresh(changes);
        grid.refresh(changes);
        commands.refresh(changes);
        demandResponse.refresh(changes);
        schedules.refresh(changes);
        alarms.refresh(changes);
        webhooks.refresh(changes);
        notifications.refresh(changes);
    }

    /**
     * Live ranks are each node's own (from the readings it holds); the work that acts for everyone (expiring
     * commands, starting and ending demand-response events, firing schedules, no-data checks) runs on the one node
     * that holds its lease when several nodes share the store.
     */
    private void everySecond() {
        guarded("live power ranks", feeder::refreshPower);
        leased("commands", commands::expire);
        guarded("commands due", commands::offerDue);
        leased("demand response", demandResponse::tick);
        leased("schedules", schedules::tick);
    }

    private void leased(String what, Runnable work) {
        guarded(what, () -> {
            if (leases.holds(what)) {
                work.run();
            }
        });
    }

    private void refreshEnergy() {
        guarded("energy ranks", feeder::refreshEnergy);
    }

    private static void guarded(String what, Runnable work) {
        try {
            work.run();
        } catch (RuntimeException e) {
            LOG.warn("Periodic work on {} failed; it runs again shortly", what, e);
        }
    }

    /** A community's time zone (its first site's), looked up once: the gateway answer needs it every time. */
    private ZoneId zoneOf(String communityName) {
        return communityZones.computeIfAbsent(communityName, this::findZone);
    }

    private ZoneId findZone(String communityName) {
        for (var c : registry.customers()) {
            for (Site s : registry.sites(c.id())) {
                if (communityName.equals(s.community())) {
                    return s.zone();
                }
            }
        }
        return ZoneId.of("UTC");
    }

    public TariffBook tariffs() {
        return tariffs;
    }

    public CustomerGroups groups() {
        return groups;
    }

    public Biller biller() {
        return biller;
    }

    public CommunityStats community() {
        return community;
    }

    public CommunityFeeder feeder() {
        return feeder;
    }

    public GridMonitor grid() {
        return grid;
    }

    public CommandService commands() {
        return commands;
    }

    public DemandResponse demandResponse() {
        return demandResponse;
    }

    public Schedules schedules() {
        return schedules;
    }

    public io.meterbase.services.meters.Meters meters() {
        return meters;
    }

    @Override
    public AlarmService alarms() {
        return alarms;
    }

    public Webhooks webhooks() {
        return webhooks;
    }

    /** Notices are documents of this kind, read from the store at each call (pages ask every 15 s). */
    static final String NOTICE = "notice";

    @Override
    public Map<String, String> notices() {
        Map<String, String> out = new java.util.TreeMap<>();
        documentStore.documents(NOTICE).forEach((id, json) -> out.put(id, ControlJson.read(json, String.class)));
        return out;
    }

    @Override
    public void notice(String id, @Nullable String text) {
        if (text == null) {
            documentStore.deleteDocument(NOTICE, id);
        } else {
            documentStore.saveDocument(NOTICE, id, ControlJson.write(text));
        }
    }

    @Override
    public io.meterbase.services.notify.Notifications notifications() {
        return notifications;
    }

    /** The grid state of the customer's community, if it has one. */
    public Optional<GridState> gridOf(long customerId) {
        return feeder.communityOf(customerId).map(grid::state);
    }

    /**
     * What a gateway is told after each upload: the customer's power, energy today, cost so far today, the current
     * price, the community's minimum/maximum/average and the customer's rank, the grid state, and the commands due
     * for the nodes behind the gateway (now handed over: they become sent).
     */
    public GatewayAnswer gatewayAnswer(long customerId, @Nullable String senderRef, String channel) {
        CustomerSummary now = consumption.summary(customerId);
        // the sender's own figures are compared as they are now, not as the last periodic refresh saw them
        feeder.noteFigures(customerId, now);
        GatewayAnswer.Cost cost = biller.tariffOf(customerId, Commodity.ELECTRICITY)
                .map(t -> new GatewayAnswer.Cost(
                        t.currency(),
                        costToday(customerId).orElse(null),
                        biller.priceNow(customerId, Commodity.ELECTRICITY).orElse(null),
                        t.billingUnit()))
                .orElse(null);
        Map<Metric, Comparison> comparisons = new EnumMap<>(Metric.class);
        for (Metric m : List.of(Metric.POWER, Metric.ENERGY_TODAY)) {
            community.compare(customerId, m).ifPresent(c -> comparisons.put(m, c));
        }
        List<Command> due = senderRef == null ? List.of() : commands.collect(customerId, senderRef, channel);
        return new GatewayAnswer(
                new GatewayAnswer.Customer(now, cost),
                comparisons,
                gridOf(customerId).orElse(null),
                due,
                alarms.openAlarms(customerId));
    }

    /**
     * The cost so far today, kept for a few seconds per customer: hourly rollups change only when the rollup
     * tracker flushes, and a gateway answer must not cost a bill's store queries each time.
     */
    private Optional<BigDecimal> costToday(long customerId) {
        long now = System.nanoTime();
        CachedCost cached = costCache.get(customerId);
        if (cached != null && now - cached.at() < COST_CACHE_NANOS) {
            return Optional.of(cached.cost());
        }
        try {
            BigDecimal cost = biller.soFar(customerId, Commodity.ELECTRICITY, Biller.SoFar.TODAY)
                    .total();
            costCache.put(customerId, new CachedCost(now, cost));
            return Optional.of(cost);
        } catch (RuntimeException e) {
            LOG.debug("No cost for customer {}: {}", customerId, e.toString());
            return Optional.empty();
        }
    }

    private record CachedCost(long at, BigDecimal cost) {}

    /** The price now for a customer, if a tariff applies. */
    public Optional<BigDecimal> priceNow(long customerId) {
        return biller.priceNow(customerId, Commodity.ELECTRICITY);
    }

    @Override
    public void close() {
        ticks.shutdownNow();
        notifying.shutdownNow();
        alarms.close();
        webhooks.close();
        try {
            ticks.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
