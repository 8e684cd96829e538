package io.meterbase.analytics.service;

import io.meterbase.analytics.incident.LeakDetector;
import io.meterbase.core.ingest.LiveState;
import io.meterbase.core.query.Commodity;
import io.meterbase.core.query.ConsumptionService;
import io.meterbase.core.registry.Registry;
import io.meterbase.core.store.Store;
import io.meterbase.services.alarm.AlarmService;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
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
 * The analytics of a running server, on their own thread: every {@code every}, forecasts for all meters and
 * communities, then incident detection; every {@code clusterEvery}, customer clustering. {@link #runNow} runs them
 * all at once (operators, tests, the demo).
 *
 * <p>With {@link Jobs#SPARK}, a fleet too large for one machine, the Spark jobs ({@code scripts/spark-jobs … --write})
 * compute the forecasts, the incident scans and the clustering and write them into the shared store as the same
 * documents: the server then computes nothing itself and reads those documents again every {@code every} (raising
 * and clearing the alarms of incidents the jobs opened or closed).
 */
public final class Analytics implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Analytics.class);
    /** Tribuo reports each fit at INFO through java.util.logging; held so that the quieter level sticks. */
    private static final java.util.logging.Logger TRIBUO_LOG = java.util.logging.Logger.getLogger("org.tribuo");

    /** Who computes the analytics: this server, or the Spark jobs writing into the store. */
    public enum Jobs {
        SERVER,
        SPARK
    }

    /** The settings of the analytics. */
    public record Settings(
            boolean enabled,
            Duration every,
            Duration firstRun,
            Duration retrainEvery,
            int sampleMeters,
            Duration clusterEvery,
            int clusterDays,
            Jobs jobs) {

        /** Analytics computed by this server. */
        public Settings(
                boolean enabled,
                Duration every,
                Duration firstRun,
                Duration retrainEvery,
                int sampleMeters,
                Duration clusterEvery,
                int clusterDays) {
            this(enabled, every, firstRun, retrainEvery, sampleMeters, clusterEvery, clusterDays, Jobs.SERVER);
        }
    }

    /** What reading the Spark jobs' documents found. */
    public record Reload(int forecasts, boolean clusters, int incidentsRaised, int incidentsClosed) {}

    /** What one complete run did. */
    public record Summary(
            Instant at,
            long historyMillis,
            ForecastService.@Nullable Run forecasts,
            IncidentService.@Nullable Run incidents,
            @Nullable Integer clusters,
            long millis,
            @Nullable Reload reloaded) {}

    private final HourlyHistory history;
    private final ForecastService forecasts;
    private final IncidentService incidents;
    private final ClusterService clusters;
    private final Clock clock;
    private final Jobs jobs;
    private final io.meterbase.core.store.Leases leases;
    private volatile @Nullable Summary last;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "meterbase-analytics");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        return t;
    });

    private Analytics(
            Registry registry,
            Store store,
            ConsumptionService consumption,
            AlarmService alarms,
            Clock clock,
            Settings settings) {
        TRIBUO_LOG.setLevel(java.util.logging.Level.WARNING);
        this.clock = clock;
        this.jobs = settings.jobs();
        this.leases = store.leases();
        this.history = new HourlyHistory(registry, store.readings(), consumption);
        this.forecasts = new ForecastService(
                history, store.documents(), clock, settings.retrainEvery(), settings.sampleMeters());
        this.incidents = new IncidentService(
                history, store.readings(), store.documents(), alarms, clock, LeakDetector.Settings.defaults());
        this.clusters = new ClusterService(history, store.documents(), clock, settings.clusterDays());
    }

    /** Starts the analytics; with {@code enabled} false nothing runs by itself (runNow still works). */
    public static Analytics start(
            Registry registry,
            Store store,
            ConsumptionService consumption,
            LiveState live,
            AlarmService alarms,
            Clock clock,
            Settings settings) {
        Analytics a = new Analytics(registry, store, consumption, alarms, clock, settings);
        // readings that arrive late, behind the time the register checks have reached, are checked at the next run
        live.subscribe(a.incidents::noteDurable);
        if (settings.enabled() && settings.jobs() == Jobs.SPARK) {
            a.thread.scheduleWithFixedDelay(
                    () -> a.guarded(a::reload),
                    settings.every().toSeconds(),
                    settings.every().toSeconds(),
                    TimeUnit.SECONDS);
        } else if (settings.enabled()) {
            long first = Math.max(0, settings.firstRun().toSeconds());
            // with several nodes on one store, one computes (the holder of the lease) and the others read its results
            a.thread.scheduleWithFixedDelay(
                    () -> a.guarded(() -> a.leased("analytics", a::forecastsAndIncidents)),
                    first,
                    settings.every().toSeconds(),
                    TimeUnit.SECONDS);
            a.thread.scheduleWithFixedDelay(
                    () -> a.guarded(() -> a.leased("clustering", a::clustering)),
                    first,
                    settings.clusterEvery().toSeconds(),
                    TimeUnit.SECONDS);
        }
        return a;
    }

    /** Runs the work where its lease is held; elsewhere reads what the holder wrote. */
    private void leased(String what, Runnable work) {
        if (leases.holds(what)) {
            work.run();
        } else {
            reload();
        }
    }

    private void guarded(Runnable work) {
        try {
            work.run();
        } catch (RuntimeException e) {
            if (thread.isShutdown()) {
                // the server is stopping: close() interrupted the run, which is not a failure
                LOG.info("Analytics run stopped by the shutdown: {}", e.toString());
                return;
            }
            LOG.warn("Analytics run failed; it runs again at its next time", e);
        }
    }

    private ForecastService.@Nullable Run lastForecasts;
    private IncidentService.@Nullable Run lastIncidents;
    private @Nullable Integer lastClusters;
    private long lastHistoryMillis;

    private synchronized void forecastsAndIncidents() {
        forecastsAndIncidents(false);
    }

    private synchronized void forecastsAndIncidents(boolean retrain) {
        List<HourlyHistory.Meter> electricity = history.meters(Commodity.ELECTRICITY);
        List<HourlyHistory.Meter> water = history.meters(Commodity.WATER);
        // the electricity history is read once for both
        long end = Math.floorDiv(clock.millis(), HourlyHistory.HOUR) * HourlyHistory.HOUR;
        int hours = Math.max(ForecastService.HOURS, IncidentService.HOURS);
        long reading = System.nanoTime();
        List<HourlyHistory.Hourly> series = history.series(electricity, end - hours * HourlyHistory.HOUR, end);
        lastHistoryMillis = (System.nanoTime() - reading) / 1_000_000;
        ForecastService.Run forecast = forecasts.run(electricity, series, retrain);
        Map<Commodity, List<HourlyHistory.Meter>> others = new LinkedHashMap<>();
        for (Commodity c : List.of(Commodity.GAS, Commodity.HEAT, Commodity.COOLING)) {
            others.put(c, history.meters(c));
        }
        int heatingForecasts = forecasts.runHeating(others);
        IncidentService.Run incident = incidents.run(electricity, series, water, others, forecasts.model());
        lastForecasts = forecast;
        lastIncidents = incident;
        LOG.info(
                "Analytics: {} meters and {} communities forecast in {} ms{}, {} gas and heat meters; incidents open"
                        + " {}",
                forecast.meters(),
                forecast.communities(),
                forecast.millis(),
                forecast.retrained() ? " (models retrained)" : "",
                heatingForecasts,
                incident.open());
    }

    private synchronized void clustering() {
        lastClusters = clusters.run(history.meters(Commodity.ELECTRICITY))
                .map(CustomerClusters::k)
                .orElse(null);
    }

    /** Reads the documents the Spark jobs wrote (forecasts, clusters, incidents) again. */
    public synchronized Reload reload() {
        int forecastCount = forecasts.reload();
        boolean clustered = clusters.reload();
        IncidentService.Merge m = incidents.reload();
        Reload r = new Reload(
                forecastCount, clustered, m.raised().size(), m.closed().size());
        LOG.info(
                "Analytics from the Spark jobs: {} forecasts, {}, incidents raised {} and closed {}",
                r.forecasts(),
                r.clusters() ? "a clustering" : "no clustering",
                r.incidentsRaised(),
                r.incidentsClosed());
        return r;
    }

    /**
     * Runs forecasts, incidents and clustering now, on the caller's thread, and says what they did; where the Spark
     * jobs compute them, reads their documents again instead.
     */
    public Summary runNow() {
        return runNow(false);
    }

    /**
     * As {@link #runNow()}; with {@code retrain}, the forecast models are retrained first whatever their age (after
     * history was imported, say).
     */
    public synchronized Summary runNow(boolean retrain) {
        long started = System.nanoTime();
        if (jobs == Jobs.SPARK) {
            Reload r = reload();
            Summary summary =
                    new Summary(clock.instant(), 0, null, null, null, (System.nanoTime() - started) / 1_000_000, r);
            last = summary;
            return summary;
        }
        forecastsAndIncidents(retrain);
        clustering();
        Summary summary = new Summary(
                clock.instant(),
                lastHistoryMillis,
                lastForecasts,
                lastIncidents,
                lastClusters,
                (System.nanoTime() - started) / 1_000_000,
                null);
        last = summary;
        return summary;
    }

    public Optional<Summary> last() {
        return Optional.ofNullable(last);
    }

    public ForecastService forecasts() {
        return forecasts;
    }

    public IncidentService incidents() {
        return incidents;
    }

    public ClusterService clusters() {
        return clusters;
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
