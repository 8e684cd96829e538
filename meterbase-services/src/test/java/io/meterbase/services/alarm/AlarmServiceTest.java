package io.meterbase.services.alarm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.meterbase.core.api.alarm.Alarm;
import io.meterbase.core.api.alarm.AlarmRule;
import io.meterbase.core.api.alarm.Severity;
import io.meterbase.core.ingest.LiveState;
import io.meterbase.core.model.Accumulation;
import io.meterbase.core.model.Category;
import io.meterbase.core.model.Channel;
import io.meterbase.core.model.DeviceType;
import io.meterbase.core.model.Quantity;
import io.meterbase.core.model.Reading;
import io.meterbase.core.registry.Registry;
import io.meterbase.core.store.memory.MemoryStore;
import io.meterbase.services.json.ControlJson;
import io.meterbase.services.stored.StoredAlarm;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AlarmServiceTest {

    private static final long T0 = Instant.parse("2026-11-21T10:00:00Z").toEpochMilli();

    private MemoryStore store;
    private Registry registry;
    private final LiveState live = new LiveState();
    private long customer;
    private Channel voltage;
    private Channel gas;
    private Channel temperature;

    @BeforeEach
    void open() {
        store = MemoryStore.open();
        registry = new Registry(store.metadata(), Clock.systemUTC());
        customer = registry.createCustomer("Ana", null, null, null, "north", ZoneId.of("UTC"))
                .id();
        long site = registry.defaultSite(customer).id();
        long meter = registry.registerDevice(
                        customer, site, 0, "meter", "Meter", DeviceType.ELECTRICITY_METER, Category.MAIN)
                .id();
        long sensor = registry.registerDevice(
                        customer, site, 0, "kitchen", "Kitchen", DeviceType.SENSOR_NODE, Category.OTHER)
                .id();
        voltage = registry.channelOrCreate(meter, "voltage", Quantity.VOLTAGE, Accumulation.INSTANT);
        gas = registry.channelOrCreate(sensor, "gas", Quantity.GAS_CONCENTRATION, Accumulation.INSTANT);
        temperature = registry.channelOrCreate(sensor, "temperature", Quantity.TEMPERATURE, Accumulation.INSTANT);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private AlarmService service(Clock clock) {
        AlarmService s = new AlarmService(registry, store.documents(), live, clock);
        s.addDefaultRulesIfNone();
        return s;
    }

    private static Reading at(Channel c, long seconds, double value) {
        return new Reading(c.id(), T0 + seconds * 1000, value);
    }

    @Test
    void overVoltageNeedsItsDuration_isRaisedOnce_andClearsWhenBackToNormal() {
        AlarmService alarms = service(Clock.systemUTC());
        List<Alarm> told = new CopyOnWriteArrayList<>();
        alarms.addListener(told::add);

        alarms.evaluate(List.of(at(voltage, 0, 255), at(voltage, 5, 256))); // 5 s: not yet
        assertThat(alarms.alarms(customer, null, 10)).isEmpty();

        alarms.evaluate(List.of(at(voltage, 10, 257), at(voltage, 15, 258), at(voltage, 20, 256)));
        List<Alarm> active = alarms.alarms(customer, Alarm.State.ACTIVE, 10);
        assertThat(active).singleElement().satisfies(a -> {
            assertThat(a.type()).isEqualTo("over_voltage");
            assertThat(a.severity()).isEqualTo(Severity.WARNING);
            assertThat(a.deviceRef()).isEqualTo("meter");
            assertThat(a.occurrences()).isEqualTo(3);
            assertThat(a.raisedAt()).isEqualTo(Instant.ofEpochMilli(T0 + 10_000));
        });

        alarms.evaluate(List.of(at(voltage, 25, 231)));
        assertThat(alarms.alarms(customer, Alarm.State.ACTIVE, 10)).isEmpty();
        assertThat(alarms.alarms(customer, Alarm.State.CLEARED, 10)).hasSize(1);
        assertThat(told).extracting(Alarm::state).containsExactly(Alarm.State.ACTIVE, Alarm.State.CLEARED);

        // a new episode is a new alarm
        alarms.evaluate(List.of(at(voltage, 30, 199), at(voltage, 45, 198)));
        assertThat(alarms.alarms(customer, Alarm.State.ACTIVE, 10))
                .singleElement()
                .satisfies(a -> assertThat(a.type()).isEqualTo("under_voltage"));
    }

    @Test
    void twoNodesSeeingTheSameGasLeak_raiseOneAlarm_andTellTheirListenersOnce() {
        // GIVEN two nodes sharing one store, each with its alarm service (the first made the default rules)
        AlarmService one = service(Clock.systemUTC());
        AlarmService two = new AlarmService(registry, store.documents(), live, Clock.systemUTC());
        List<Alarm> told = new CopyOnWriteArrayList<>();
        one.addListener(told::add);
        two.addListener(told::add);

        // WHEN the sensor's leak readings reach both (one re-sent to the other node), before either heard of the other
        one.evaluate(List.of(at(gas, 0, 1500)));
        two.evaluate(List.of(at(gas, 1, 1500)));

        // THEN there is one alarm, the second reading counted on it, and one listener call (one webhook call)
        assertThat(told).singleElement().satisfies(a -> assertThat(a.state()).isEqualTo(Alarm.State.ACTIVE));
        List<Alarm> stored = store.documents().documents("alarm").values().stream()
                .map(json -> ControlJson.read(json, StoredAlarm.class).toApi())
                .toList();
        assertThat(stored).singleElement();
        assertThat(two.openAlarms(customer)).singleElement().satisfies(a -> {
            assertThat(a.id()).isEqualTo(stored.get(0).id());
            assertThat(a.occurrences()).isEqualTo(2);
        });

        // AND once it clears on one node, the next leak is a new alarm, again raised once
        one.evaluate(List.of(at(gas, 10, 20)));
        two.refresh(new io.meterbase.core.store.StoreChanges(
                java.util.Map.of(), java.util.Set.of("alarm/" + stored.get(0).id()), false));
        assertThat(two.openAlarms(customer)).isEmpty();
        two.evaluate(List.of(at(gas, 20, 1800)));
        one.evaluate(List.of(at(gas, 21, 1800)));
        assertThat(told)
                .extracting(Alarm::state)
                .containsExactly(Alarm.State.ACTIVE, Alarm.State.CLEARED, Alarm.State.ACTIVE);
    }

    @Test
    void twoNodesTakingOverTheClaimOfAClearedAlarmAtOnce_raiseOneAlarm() {
        // GIVEN a leak alarm that cleared, whose claim was left behind (its node died before removing it)
        AlarmService first = service(Clock.systemUTC());
        first.evaluate(List.of(at(gas, 0, 1500)));
        java.util.Map<String, String> claim = store.documents().documents("alarm-open");
        first.evaluate(List.of(at(gas, 10, 20)));
        claim.forEach((k, id) -> store.documents().saveDocument("alarm-open", k, id));

        // and two nodes that see the next leak at the same moment: node A takes the claim over just before node B
        AlarmService a = new AlarmService(registry, store.documents(), live, Clock.systemUTC());
        List<Alarm> told = new CopyOnWriteArrayList<>();
        a.addListener(told::add);
        io.meterbase.core.store.DocumentStore shared = store.documents();
        io.meterbase.core.store.DocumentStore racing = new io.meterbase.core.store.DocumentStore() {
            boolean raced;

            /** Node A's turn, just before node B's first write over the left-behind claim. */
            private void raceOnce(String kind) {
                if (!raced && kind.equals("alarm-open")) {
                    raced = true;
                    a.evaluate(List.of(at(gas, 20, 1800)));
                }
            }

            @Override
            public boolean compareAndReplace(String kind, String id, String expected, String json) {
                raceOnce(kind);
                return shared.compareAndReplace(kind, id, expected, json);
            }

            @Override
            public void saveDocument(String kind, String id, String json) {
                raceOnce(kind);
                shared.saveDocument(kind, id, json);
            }

            @Override
            public java.util.Optional<String> saveDocumentIfAbsent(String kind, String id, String json) {
                return shared.saveDocumentIfAbsent(kind, id, json);
            }

            @Override
            public void deleteDocument(String kind, String id) {
                shared.deleteDocument(kind, id);
            }

            @Override
            public java.util.Map<String, String> documents(String kind) {
                return shared.documents(kind);
            }

            @Override
            public List<String> documentKinds() {
                return shared.documentKinds();
            }
        };
        AlarmService b = new AlarmService(registry, racing, live, Clock.systemUTC());
        b.addListener(told::add);

        // WHEN node B sees the leak
        b.evaluate(List.of(at(gas, 21, 1800)));

        // THEN one alarm is active, raised by node A, and node B counted its reading on it
        List<Alarm> active = store.documents().documents("alarm").values().stream()
                .map(json -> ControlJson.read(json, StoredAlarm.class).toApi())
                .filter(x -> x.state() == Alarm.State.ACTIVE)
                .toList();
        assertThat(active).singleElement();
        assertThat(told).singleElement().satisfies(x -> assertThat(x.id())
                .isEqualTo(active.get(0).id()));
        assertThat(b.openAlarms(customer)).singleElement().satisfies(x -> {
            assertThat(x.id()).isEqualTo(active.get(0).id());
            assertThat(x.occurrences()).isEqualTo(2);
        });
    }

    @Test
    void aGasLeakIsCriticalAtOnce_andAcknowledgingKeepsItOpenUntilCleared() {
        AlarmService alarms = service(Clock.systemUTC());

        alarms.evaluate(List.of(at(gas, 0, 1500)));
        Alarm leak = alarms.alarms(customer, Alarm.State.ACTIVE, 10).get(0);
        assertThat(leak.severity()).isEqualTo(Severity.CRITICAL);

        alarms.acknowledge(leak.id(), "operator");
        alarms.evaluate(List.of(at(gas, 5, 1600)));
        Alarm acked = alarms.alarm(leak.id()).orElseThrow();
        assertThat(acked.state()).isEqualTo(Alarm.State.ACKNOWLEDGED);
        assertThat(acked.acknowledgedBy()).isEqualTo("operator");
        assertThat(acked.occurrences()).isEqualTo(2);
        assertThat(alarms.alarms(customer, null, 10)).hasSize(1); // deduplicated

        alarms.evaluate(List.of(at(gas, 10, 20)));
        assertThat(alarms.alarm(leak.id()).orElseThrow().state()).isEqualTo(Alarm.State.CLEARED);
    }

    @Test
    void rateOfChangeAndSilenceAndDeviceEvents() throws InterruptedException {
        MutableClock clock = new MutableClock(Instant.ofEpochMilli(T0));
        AlarmService alarms = service(clock);
        alarms.addRule(
                new AlarmRule(
                        null,
                        null,
                        "fast_heating",
                        AlarmRule.Kind.RATE_OF_CHANGE,
                        "temperature",
                        AlarmRule.Direction.ABOVE,
                        5.0,
                        null,
                        null,
                        null,
                        null,
                        null,
                        Severity.ALARM),
                customer);
        alarms.addRule(
                new AlarmRule(
                        null,
                        null,
                        "offline",
                        AlarmRule.Kind.NO_DATA,
                        null,
                        null,
                        null,
                        null,
                        60,
                        3,
                        "kitchen",
                        null,
                        Severity.WARNING),
                customer);

        alarms.evaluate(List.of(at(temperature, 0, 20), at(temperature, 60, 21)));
        assertThat(alarms.alarms(customer, Alarm.State.ACTIVE, 10)).isEmpty();
        alarms.evaluate(List.of(at(temperature, 120, 30))); // 9 °C in a minute
        assertThat(alarms.alarms(customer, Alarm.State.ACTIVE, 10))
                .extracting(Alarm::type)
                .containsExactly("fast_heating");

        live.onDurable(List.of(at(temperature, 120, 30)));
        alarms.drain(); // the service evaluates that batch on its own thread: let it finish before the silence check
        clock.set(Instant.ofEpochMilli(T0 + 120_000 + 181_000)); // silent for more than 3 × 60 s
        alarms.checkSilence();
        assertThat(alarms.alarms(customer, Alarm.State.ACTIVE, 10))
                .extracting(Alarm::type)
                .contains("offline");
        alarms.evaluate(List.of(at(temperature, 302, 30)));
        assertThat(alarms.alarms(customer, Alarm.State.ACTIVE, 10))
                .extracting(Alarm::type)
                .doesNotContain("offline", "fast_heating");

        alarms.event(customer, "meter", "tamper_case_open", true, clock.instant(), null);
        alarms.event(customer, "meter", "tamper_case_open", true, clock.instant(), null);
        assertThat(alarms.alarms(customer, Alarm.State.ACTIVE, 10))
                .singleElement()
                .satisfies(a -> {
                    assertThat(a.type()).isEqualTo("tamper_case_open");
                    assertThat(a.severity()).isEqualTo(Severity.ALARM);
                    assertThat(a.occurrences()).isEqualTo(2);
                });
        alarms.event(customer, "meter", "tamper_case_open_cleared", true, clock.instant(), null);
        assertThat(alarms.alarms(customer, Alarm.State.ACTIVE, 10)).isEmpty();
    }

    @Test
    void openAlarmsSurviveARestartWithoutBeingRaisedAgain() {
        AlarmService first = service(Clock.systemUTC());
        first.evaluate(List.of(at(gas, 0, 5000)));

        AlarmService again = service(Clock.systemUTC());
        again.evaluate(List.of(at(gas, 5, 5000)));

        assertThat(again.alarms(customer, null, 10)).singleElement().satisfies(a -> assertThat(a.occurrences())
                .isEqualTo(2));
        assertThat(again.rules(null)).hasSize(3); // the defaults were not added twice
        assertThatThrownBy(() -> ControlJson.read("{\"type\":\"x\",\"kind\":\"threshold\"}", AlarmRule.class))
                .hasMessageContaining("quantity");
    }

    @Test
    void webhooksAreRetriedUntilTheReceiverTakesThem() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        List<String> bodies = new CopyOnWriteArrayList<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", ex -> {
            bodies.add(new String(ex.getRequestBody().readAllBytes()));
            ex.sendResponseHeaders(calls.incrementAndGet() <= 2 ? 503 : 204, -1);
            ex.close();
        });
        receiver.start();
        try (Webhooks hooks = new Webhooks(
                store.documents(),
                Duration.ofMillis(50),
                WebhookDestinations.allowing(List.of("127.0.0.0/8")),
                Clock.systemUTC())) {
            AlarmService alarms = service(Clock.systemUTC());
            alarms.addListener(hooks);
            hooks.add(customer, "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook");
            hooks.add(customer + 1, "http://127.0.0.1:" + receiver.getAddress().getPort() + "/other");

            alarms.evaluate(List.of(at(gas, 0, 5000)));

            long deadline = System.currentTimeMillis() + 10_000;
            while (hooks.delivered() < 1 && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            assertThat(hooks.delivered()).isEqualTo(1);
            assertThat(calls.get()).isEqualTo(3); // two refusals, then taken
            assertThat(bodies.get(2)).contains("\"type\":\"gas_leak\"").contains("\"state\":\"active\"");
            assertThat(new Webhooks(
                                    store.documents(),
                                    Duration.ofMillis(50),
                                    WebhookDestinations.allowing(List.of("127.0.0.0/8")),
                                    Clock.systemUTC())
                            .of(customer))
                    .hasSize(1);
        } finally {
            receiver.stop(0);
        }
    }

    /** A clock the test sets. */
    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void set(Instant at) {
            now = at;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
