package io.meterbase.bench;

import io.meterbase.analytics.cluster.SyntheticMeters;
import io.meterbase.analytics.service.Analytics;
import io.meterbase.core.ingest.LiveState;
import io.meterbase.core.model.Accumulation;
import io.meterbase.core.model.Category;
import io.meterbase.core.model.DeviceType;
import io.meterbase.core.model.Quantity;
import io.meterbase.core.query.ConsumptionService;
import io.meterbase.core.registry.Registry;
import io.meterbase.core.store.Rollup;
import io.meterbase.services.alarm.AlarmService;
import io.meterbase.store.duckdb.DuckDbOptions;
import io.meterbase.store.duckdb.DuckDbStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Forecasts for a fleet, as the server makes them: {@code meters} meters (5 per customer, 20 communities) with 58
 * days of hourly consumption in a DuckDB store; one analytics run trains the models on a sample of 500 meters and
 * forecasts every meter and community (next hour and next 24 hours with intervals); a second run, with the models
 * kept, forecasts only; a third looks for incidents. Prints the time of each.
 *
 * <pre>scripts/bench-forecast [meters=10000]</pre>
 */
public final class ForecastBenchmark {

    private static final long HOUR = 3_600_000L;
    private static final int DAYS = 58;

    private ForecastBenchmark() {}

    public static void main(String[] args) throws Exception {
        int meters = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        Path dir = Files.createTempDirectory("meterbase-forecast-bench");
        Instant end = Instant.parse("2026-03-02T00:00:00Z");
        Clock clock = Clock.fixed(end.plus(Duration.ofMinutes(30)), ZoneOffset.UTC);
        try (DuckDbStore store = DuckDbStore.open(new DuckDbOptions(dir, "4GB", 2, 2))) {
            long t0 = System.nanoTime();
            Registry registry = new Registry(store.metadata(), clock);
            List<Integer> channels = new ArrayList<>();
            for (int c = 0; c < meters / 5; c++) {
                long customer = registry.createCustomer("c" + c, null, null, null, "area-" + (c % 20), ZoneId.of("UTC"))
                        .id();
                long site = registry.defaultSite(customer).id();
                for (int m = 0; m < 5; m++) {
                    long device = registry.registerDevice(
                                    customer,
                                    site,
                                    0,
                                    "m" + m,
                                    "Meter " + m,
                                    DeviceType.ELECTRICITY_METER,
                                    Category.MAIN)
                            .id();
                    channels.add(
                            registry.channelOrCreate(device, "energy", Quantity.ENERGY_IMPORT, Accumulation.CUMULATIVE)
                                    .id());
                }
            }
            long t1 = System.nanoTime();
            int hours = DAYS * 24;
            long start = end.toEpochMilli() - hours * HOUR;
            LocalDateTime first = LocalDateTime.ofInstant(Instant.ofEpochMilli(start), ZoneOffset.UTC);
            Random r = new Random(42);
            SyntheticMeters.Kind[] kinds = SyntheticMeters.Kind.values();
            List<Rollup> batch = new ArrayList<>();
            for (int i = 0; i < channels.size(); i++) {
                double[] kwh = SyntheticMeters.series(kinds[i % kinds.length], first, hours, r);
                for (int h = 0; h < hours; h++) {
                    double wh = kwh[h] * 1000;
                    batch.add(new Rollup(channels.get(i), start + h * HOUR, 12, wh, wh, wh, wh));
                }
                if (batch.size() >= 500_000) {
                    store.upsertHourly(batch);
                    batch.clear();
                }
            }
            store.upsertHourly(batch);
            long t2 = System.nanoTime();
            System.out.printf(
                    Locale.ROOT,
                    "set-up: %d meters registered in %.1f s, %,d hourly rollups stored in %.1f s%n",
                    channels.size(),
                    (t1 - t0) / 1e9,
                    (long) channels.size() * hours,
                    (t2 - t1) / 1e9);

            LiveState live = new LiveState();
            ConsumptionService consumption =
                    new ConsumptionService(registry, store, live, clock, Duration.ofMinutes(5));
            try (AlarmService alarms = new AlarmService(registry, store.documents(), live, clock);
                    Analytics analytics = Analytics.start(
                            registry,
                            store,
                            consumption,
                            live,
                            alarms,
                            clock,
                            new Analytics.Settings(
                                    false,
                                    Duration.ofHours(1),
                                    Duration.ZERO,
                                    Duration.ofDays(1),
                                    500,
                                    Duration.ofDays(1),
                                    365))) {
                Analytics.Summary trained = analytics.runNow(true);
                Analytics.Summary kept = analytics.runNow(false);
                for (Analytics.Summary run : List.of(trained, kept)) {
                    var f = run.forecasts();
                    var incidents = run.incidents();
                    if (f == null || incidents == null) {
                        throw new IllegalStateException("a run of the analytics made no forecasts or incidents");
                    }
                    System.out.printf(
                            Locale.ROOT,
                            "%s: %d meters and %d communities forecast (next hour, next 24 h, 80 %% intervals):"
                                    + " history read %.1f s + training %.1f s + forecasts %.1f s + storing %.1f s"
                                    + " = %.1f s; then incidents %.1f s (open: %s)%n",
                            f.retrained()
                                    ? "with training on 500 sampled meters (" + f.trainingRows() + " rows)"
                                    : "with the models kept",
                            f.meters(),
                            f.communities(),
                            run.historyMillis() / 1e3,
                            f.trainMillis() / 1e3,
                            (f.millis() - f.trainMillis() - f.saveMillis()) / 1e3,
                            f.saveMillis() / 1e3,
                            (run.historyMillis() + f.millis()) / 1e3,
                            incidents.millis() / 1e3,
                            incidents.open());
                }
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        }
    }
}
