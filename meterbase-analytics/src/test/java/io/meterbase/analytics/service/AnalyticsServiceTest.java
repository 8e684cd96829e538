package io.meterbase.analytics.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterbase.core.api.alarm.Alarm;
import io.meterbase.core.ingest.LiveState;
import io.meterbase.core.model.Accumulation;
import io.meterbase.core.model.Category;
import io.meterbase.core.model.Channel;
import io.meterbase.core.model.DeviceType;
import io.meterbase.core.model.Quality;
import io.meterbase.core.model.Quantity;
import io.meterbase.core.model.Reading;
import io.meterbase.core.query.ConsumptionService;
import io.meterbase.core.registry.Registry;
import io.meterbase.core.store.Rollup;
import io.meterbase.core.store.WriteBatch;
import io.meterbase.core.store.memory.MemoryStore;
import io.meterbase.services.alarm.AlarmService;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The analytics of a server over the store in memory: 60 days of hourly consumption of ordinary homes and of
 * homes that show each incident, forecasts and incidents computed, alarms raised and cleared, documents reloaded.
 */
class AnalyticsServiceTest {

    private static final long HOUR = 3_600_000L;
    private static final Instant NOW = Instant.parse("2026-03-02T00:30:00Z");
    private static final long END = Instant.parse("2026-03-02T00:00:00Z").toEpochMilli();
    private static final int DAYS = 60;
    private static final int N = DAYS * 24;

    private MemoryStore store;
    private Registry registry;
    private AlarmService alarms;
    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    private final Map<String, Long> customers = new HashMap<>();
    private final Map<String, Channel> channels = new HashMap<>();

    @BeforeEach
    void open() {
        store = MemoryStore.open();
        store.readings().ensureMonth(YearMonth.of(2026, 2));
        store.readings().ensureMonth(YearMonth.of(2026, 3));
        registry = new Registry(store.metadata(), clock);
        alarms = new AlarmService(registry, store.documents(), new LiveState(), clock);
    }

    /** What the durable writer hands each written batch to. */
    private final LiveState live = new LiveState();

    @AfterEach
    void close() {
        alarms.close();
        store.close();
    }

    private Analytics analytics() {
        ConsumptionService consumption =
                new ConsumptionService(registry, store.readings(), new LiveState(), clock, Duration.ofMinutes(5));
        return Analytics.start(
                registry,
                store,
                consumption,
                live,
                alarms,
                clock,
                new Analytics.Settings(
                        false, Duration.ofHours(1), Duration.ZERO, Duration.ofDays(1), 500, Duration.ofDays(1), 365));
    }

    private Channel meter(String ref, DeviceType type, Quantity quantity) {
        long customer = registry.createCustomer(ref, null, null, null, "north", ZoneId.of("UTC"))
                .id();
        long site = registry.defaultSite(customer).id();
        long device = registry.registerDevice(customer, site, 0, ref, ref, type, Category.MAIN)
                .id();
        Channel c = registry.channelOrCreate(device, "total", quantity, Accumulation.CUMULATIVE);
        customers.put(ref, customer);
        channels.put(ref, c);
        return c;
    }

    /** Hourly consumption (Wh or L) over the 60 days before now, hour i starting at END - (N - i) hours. */
    private void hourly(Channel c, IntToDoubleFunction value) {
        List<Rollup> rollups = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            double v = value.applyAsDouble(i);
            rollups.add(new Rollup(c.id(), END - (long) (N - i) * HOUR, 12, v, v, v, v));
        }
        store.readings().upsertHourly(rollups);
    }

    private static LocalDateTime at(int i) {
        return LocalDateTime.ofInstant(Instant.ofEpochMilli(END - (long) (N - i) * HOUR), ZoneOffset.UTC);
    }

    /** A home: 300 Wh an hour, 1.5 kWh in the evening, more on weekend mornings, some noise. */
    private static IntToDoubleFunction home(double size, long seed) {
        Random r = new Random(seed);
        double[] v = new double[N];
        for (int i = 0; i < N; i++) {
            LocalDateTime t = at(i);
            int h = t.getHour();
            boolean weekend = t.getDayOfWeek().getValue() >= 6;
            double base = 300 + (h >= 18 && h <= 22 ? 1200 : 0) + (weekend && h >= 8 && h <= 12 ? 600 : 0);
            v[i] = size * Math.max(0, base + r.nextGaussian() * 80);
        }
        return i -> v[i];
    }

    /** Water: 40 L/h at 7-8 h and 19-20 h, nothing at night. */
    private static double water(int i) {
        int h = at(i).getHour();
        return h == 7 || h == 8 || h == 19 || h == 20 ? 40 : 0;
    }

    @Test
    void forecastsIncidentsAndClusters_endToEndOverTheStore() {
        for (int k = 1; k <= 6; k++) {
            hourly(meter("home" + k, DeviceType.ELECTRICITY_METER, Quantity.ENERGY_IMPORT), home(0.6 + 0.2 * k, k));
        }
        IntToDoubleFunction zeroBase = home(1, 11);
        hourly(
                meter("zero", DeviceType.ELECTRICITY_METER, Quantity.ENERGY_IMPORT),
                i -> i >= N - 72 ? 0 : zeroBase.applyAsDouble(i));
        IntToDoubleFunction dropBase = home(1, 12);
        hourly(
                meter("drop", DeviceType.ELECTRICITY_METER, Quantity.ENERGY_IMPORT),
                i -> (i >= N - 72 ? 0.25 : 1) * dropBase.applyAsDouble(i));
        IntToDoubleFunction vacantBase = home(1, 13);
        hourly(
                meter("vacant", DeviceType.ELECTRICITY_METER, Quantity.ENERGY_IMPORT),
                i -> i >= N - 168 ? 40 : vacantBase.applyAsDouble(i));
        hourly(
                meter("tap", DeviceType.WATER_METER, Quantity.WATER_VOLUME),
                i -> water(i) + (i >= N - 4 * 24 && at(i).getHour() < 6 ? 3 : 0));
        hourly(meter("burst", DeviceType.WATER_METER, Quantity.WATER_VOLUME), i -> i >= N - 3 ? 800 : water(i));
        Channel register = meter("reg", DeviceType.ELECTRICITY_METER, Quantity.ENERGY_IMPORT);
        long t = END - 6 * HOUR;
        store.readings()
                .append(new WriteBatch(
                        List.of(
                                new Reading(register.id(), t, 5_000, Quality.GOOD),
                                new Reading(register.id(), t + HOUR, 5_400, Quality.GOOD),
                                new Reading(register.id(), t + 2 * HOUR, 4_100, Quality.GOOD),
                                new Reading(register.id(), t + 3 * HOUR, 4_500, Quality.GOOD)),
                        List.of(),
                        List.of()));

        // a gas meter and a heat meter whose registers go backwards too (gas in m³, heat in Wh)
        Channel gas = meter("gasreg", DeviceType.GAS_METER, Quantity.GAS_VOLUME);
        Channel heat = meter("heatreg", DeviceType.HEAT_METER, Quantity.HEAT_ENERGY);
        store.readings()
                .append(new WriteBatch(
                        List.of(
                                new Reading(gas.id(), t, 1_200, Quality.GOOD),
                                new Reading(gas.id(), t + HOUR, 1_201.5, Quality.GOOD),
                                new Reading(gas.id(), t + 2 * HOUR, 900, Quality.GOOD),
                                new Reading(heat.id(), t, 8_000_000, Quality.GOOD),
                                new Reading(heat.id(), t + HOUR, 8_012_000, Quality.GOOD),
                                new Reading(heat.id(), t + 2 * HOUR, 7_000_000, Quality.GOOD)),
                        List.of(),
                        List.of()));

        // a gas meter (m³) that stops using gas at night, until for the last 30 hours 0.5 m³ or more an hour never
        // stops
        hourly(
                meter("gasflow", DeviceType.GAS_METER, Quantity.GAS_VOLUME),
                i -> water(i) / 200 + (i >= N - 30 ? 0.5 + 0.01 * (i % 3) : 0));

        // a heat meter (Wh) of 2 kWh an hour, more in the morning, with one hour of 40 kWh in the last day
        hourly(
                meter("heatspike", DeviceType.HEAT_METER, Quantity.HEAT_ENERGY),
                i -> (i == N - 5 ? 40_000 : 2_000) + 1_000 * (at(i).getHour() == 7 ? 1 : 0) + 10 * (i % 7));

        Analytics analytics = analytics();
        Analytics.Summary summary = analytics.runNow();

        // forecasts: every electricity meter with history, and the community's total
        assertThat(summary.forecasts().retrained()).isTrue();
        assertThat(summary.forecasts().meters()).isEqualTo(9);
        assertThat(summary.forecasts().communities()).isEqualTo(1);
        MeterForecast f =
                analytics.forecasts().ofDevice(customers.get("home3"), "home3").orElseThrow();
        assertThat(f.hours()).hasSize(24);
        assertThat(f.nextHour()).isEqualTo(f.hours().get(0));
        assertThat(f.hours().get(0).start()).isEqualTo(Instant.ofEpochMilli(END));
        assertThat(f.basedOnDataUntil()).isEqualTo(Instant.ofEpochMilli(END));
        assertThat(f.unit()).isEqualTo("Wh");
        assertThat(f.coverage()).isEqualTo(0.8);
        for (MeterForecast.Point p : f.hours()) {
            assertThat(p.low()).isNotNull().isLessThanOrEqualTo(p.value());
            assertThat(p.high()).isGreaterThanOrEqualTo(p.value());
        }
        // 2026-03-02 is a Monday: the evening (19 h) well above the night (3 h); home3 is 1.2 x the base home
        assertThat(f.hours().get(19).value())
                .isGreaterThan(2.5 * f.hours().get(3).value());
        assertThat(f.hours().get(3).value()).isBetween(0.6 * 360, 1.4 * 360);
        MeterForecast area = analytics.forecasts().ofCommunity("north").orElseThrow();
        double sumOfMeters = 0;
        for (String ref : List.of("home1", "home2", "home3", "home4", "home5", "home6", "zero", "drop", "vacant")) {
            sumOfMeters += MeterForecast.total(analytics
                    .forecasts()
                    .ofDevice(customers.get(ref), ref)
                    .orElseThrow()
                    .hours());
        }
        assertThat(MeterForecast.total(area.hours())).isBetween(0.7 * sumOfMeters, 1.3 * sumOfMeters);
        assertThat(analytics.forecasts().ofCustomer(customers.get("home1")))
                .extracting(MeterForecast::device)
                .containsExactly("home1");

        // gas meters with hourly history are forecast too (here without an outdoor temperature: from the last week)
        MeterForecast gasForecast = analytics
                .forecasts()
                .ofDevice(customers.get("gasflow"), "gasflow")
                .orElseThrow();
        assertThat(gasForecast.commodity()).isEqualTo("gas");
        assertThat(gasForecast.unit()).isEqualTo("m3");
        assertThat(gasForecast.hours()).hasSize(24);
        assertThat(gasForecast.degreeDays()).isNull();
        assertThat(summary.forecasts().meters()).isEqualTo(9); // electricity only: gas is forecast by its own model

        // incidents: one of each kind, on the right meter, none on ordinary homes
        List<String> byDevice = new ArrayList<>();
        for (Incident i : analytics.incidents().incidents(null, true, 100)) {
            byDevice.add(i.device() + " " + i.type());
            if (i.device().equals("gasflow")) {
                assertThat(i.severity()).isEqualTo("critical"); // gas that never stops
            }
            assertThat(i.confidence()).isBetween(0.0, 1.0);
            assertThat(i.summary()).contains(i.device());
        }
        assertThat(byDevice)
                .containsExactlyInAnyOrder(
                        "zero zero_use",
                        "drop consumption_drop",
                        "vacant vacancy",
                        "tap small_leak",
                        "burst pipe_burst",
                        "reg register_backwards",
                        "gasreg register_backwards",
                        "heatreg register_backwards",
                        "gasflow constant_flow",
                        "heatspike consumption_spike");
        Incident zero =
                analytics.incidents().incidents(customers.get("zero"), true, 10).get(0);
        assertThat(zero.evidence().hourly()).hasSize(72).containsOnly(0.0);
        assertThat(zero.evidence().figures()).containsKeys("expected", "actual", "expected_hourly");
        Incident reg =
                analytics.incidents().incidents(customers.get("reg"), true, 10).get(0);
        assertThat(reg.evidence().figures())
                .containsEntry("reading_before", 5400.0)
                .containsEntry("reading_after", 4100.0);
        // each reaches the customer as an alarm
        assertThat(alarms.openAlarms(customers.get("burst"))).singleElement().satisfies(a -> {
            assertThat(a.type()).isEqualTo("pipe_burst");
            assertThat(a.severity().name()).isEqualTo("CRITICAL");
        });
        assertThat(alarms.openAlarms(customers.get("tap")))
                .extracting(Alarm::type)
                .containsExactly("small_leak");
        assertThat(alarms.openAlarms(customers.get("home1"))).isEmpty();

        // clusters: every electricity customer with two weeks of data has one
        CustomerClusters clusters = analytics.clusters().latest().orElseThrow();
        assertThat(clusters.customers()).isEqualTo(9);
        assertThat(clusters.k()).isBetween(2, 8);
        assertThat(analytics.clusters().of(customers.get("home1"))).isPresent();
        assertThat(analytics.clusters().of(customers.get("tap"))).isEmpty();

        // the zero-use meter is used again: the next run closes its incident and clears its alarm
        IntToDoubleFunction again = home(1, 11);
        hourly(channels.get("zero"), again);
        analytics.runNow();
        assertThat(analytics.incidents().incidents(customers.get("zero"), false, 10))
                .singleElement()
                .satisfies(i -> {
                    assertThat(i.state()).isEqualTo("closed");
                    assertThat(i.closedAt()).isEqualTo(NOW);
                });
        assertThat(alarms.openAlarms(customers.get("zero"))).isEmpty();
        // a second run does not raise what is already open again
        assertThat(analytics.incidents().incidents(customers.get("tap"), false, 10))
                .hasSize(1);
        analytics.close();

        // after a restart, forecasts, incidents and clusters are served from the stored documents
        Analytics restarted = analytics();
        assertThat(restarted.forecasts().ofDevice(customers.get("home3"), "home3"))
                .contains(analytics
                        .forecasts()
                        .ofDevice(customers.get("home3"), "home3")
                        .orElseThrow());
        // the ten raised, less the closed zero use
        assertThat(restarted.incidents().incidents(null, true, 100)).hasSize(9);
        assertThat(restarted.clusters().latest()).isPresent();
        restarted.close();
    }

    @Test
    void aLateRegisterReadingThatGoesBackwards_isCheckedAtTheNextRun() {
        // GIVEN a register read every hour, checked by a first run
        Channel register = meter("late", DeviceType.ELECTRICITY_METER, Quantity.ENERGY_IMPORT);
        long t = END - 6 * HOUR;
        store.readings()
                .append(new WriteBatch(
                        List.of(
                                new Reading(register.id(), t, 5_000, Quality.GOOD),
                                new Reading(register.id(), t + HOUR, 5_400, Quality.GOOD),
                                new Reading(register.id(), t + 2 * HOUR, 5_800, Quality.GOOD)),
                        List.of(),
                        List.of()));
        Analytics analytics = analytics();
        analytics.runNow();
        assertThat(analytics.incidents().incidents(null, true, 10)).isEmpty();

        // WHEN a reading from before that run arrives late, lower than the one before it, and is written
        List<Reading> late = List.of(new Reading(register.id(), t + HOUR / 2, 4_000, Quality.GOOD));
        store.readings().append(new WriteBatch(late, List.of(), List.of()));
        live.onDurable(late);
        analytics.runNow();

        // THEN the next run checks the register from there and finds it went backwards
        assertThat(analytics.incidents().incidents(null, true, 10))
                .singleElement()
                .satisfies(i -> {
                    assertThat(i.type()).isEqualTo("register_backwards");
                    assertThat(i.device()).isEqualTo("late");
                    assertThat(i.evidence().figures())
                            .containsEntry("reading_before", 5000.0)
                            .containsEntry("reading_after", 4000.0);
                });
        analytics.close();
    }

    @Test
    void aYoungInstallationWaitsForHistory_andSaysSo() {
        Channel c = meter("new", DeviceType.ELECTRICITY_METER, Quantity.ENERGY_IMPORT);
        List<Rollup> rollups = new ArrayList<>();
        for (int i = N - 10 * 24; i < N; i++) {
            rollups.add(new Rollup(c.id(), END - (long) (N - i) * HOUR, 12, 500, 500, 500, 500));
        }
        store.readings().upsertHourly(rollups);

        Analytics analytics = analytics();
        Analytics.Summary s = analytics.runNow();

        assertThat(s.forecasts().meters()).isZero();
        assertThat(analytics.forecasts().waitingFor())
                .hasValueSatisfying(w -> assertThat(w).contains("30 days"));
        assertThat(analytics.clusters().latest()).isEmpty();
        assertThat(analytics.incidents().incidents(null, false, 10)).isEmpty();
        analytics.close();
    }
}
