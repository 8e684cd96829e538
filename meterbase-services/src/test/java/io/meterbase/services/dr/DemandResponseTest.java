package io.meterbase.services.dr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.meterbase.core.api.command.Command;
import io.meterbase.core.api.command.CommandType;
import io.meterbase.core.api.dr.Event;
import io.meterbase.core.api.dr.Program;
import io.meterbase.core.api.dr.Reduction;
import io.meterbase.core.api.dr.Schedule;
import io.meterbase.core.ingest.LiveState;
import io.meterbase.core.model.Accumulation;
import io.meterbase.core.model.Category;
import io.meterbase.core.model.Channel;
import io.meterbase.core.model.DeviceType;
import io.meterbase.core.model.Quantity;
import io.meterbase.core.model.Reading;
import io.meterbase.core.query.ConsumptionService;
import io.meterbase.core.registry.Registry;
import io.meterbase.core.store.WriteBatch;
import io.meterbase.core.store.memory.MemoryStore;
import io.meterbase.services.command.CommandService;
import io.meterbase.services.command.CommandSigner;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DemandResponseTest {

    private static final ZoneId UTC = ZoneId.of("UTC");

    // Wednesday 18 Nov 2026, 17:55 UTC
    private final CommandServiceClock clock = new CommandServiceClock(Instant.parse("2026-11-18T17:55:00Z"));
    private MemoryStore store;
    private Registry registry;
    private CommandService commands;
    private ConsumptionService consumption;
    private final List<Long> customers = new ArrayList<>();

    @BeforeEach
    void open() {
        store = MemoryStore.open();
        registry = new Registry(store.metadata(), clock);
        commands = new CommandService(
                registry,
                store.documents(),
                CommandSigner.ephemeral(),
                clock,
                Duration.ofMinutes(10),
                Duration.ofDays(1));
        consumption = new ConsumptionService(registry, store.readings(), new LiveState(), clock, Duration.ofMinutes(5));
        for (int i = 0; i < 3; i++) {
            long c = registry.createCustomer("c" + i, null, null, null, "north", UTC)
                    .id();
            long site = registry.defaultSite(c).id();
            registry.registerDevice(c, site, 0, "heater", "Heater", DeviceType.SMART_PLUG, Category.WATER_HEATER);
            registry.registerDevice(c, site, 0, "tv", "TV", DeviceType.SMART_PLUG, Category.TV);
            customers.add(c);
        }
    }

    @AfterEach
    void close() {
        store.close();
    }

    private DemandResponse dr() {
        return new DemandResponse(registry, store.documents(), store.readings(), consumption, commands, clock);
    }

    @Test
    void enrolmentIsCheckedAgainstTheProgramsCategoriesAndCommunity() {
        DemandResponse dr = dr();
        dr.putProgram(new Program("heat", "Heaters", "north", Set.of(Category.WATER_HEATER), 60));
        dr.putProgram(new Program("south", null, "south", Set.of(Category.WATER_HEATER), 60));

        assertThatThrownBy(() -> dr.enroll(customers.get(0), "heat", "tv")).hasMessageContaining("switches only");
        assertThatThrownBy(() -> dr.enroll(customers.get(0), "south", "heater")).hasMessageContaining("community");
        dr.enroll(customers.get(0), "heat", "heater");
        assertThat(dr().enrolments(customers.get(0))).containsEntry("heat", List.of("heater"));
    }

    @Test
    void anEventSwitchesEnrolledDevicesOffStaggeredRestoresThemAndHonoursOverrides() {
        DemandResponse dr = dr();
        dr.putProgram(new Program("heat", null, "north", Set.of(Category.WATER_HEATER), 90));
        for (long c : customers) {
            dr.enroll(c, "heat", "heater");
        }
        Instant start = Instant.parse("2026-11-18T18:00:00Z");
        Instant end = Instant.parse("2026-11-18T19:00:00Z");
        Event e = dr.createEvent("heat", start, end, 3.0);
        assertThat(e.status()).isEqualTo(Event.Status.SCHEDULED);

        clock.set(start);
        dr.tick();
        assertThat(dr.event(e.id()).orElseThrow().status()).isEqualTo(Event.Status.ACTIVE);
        assertThat(dr.activeEvents("north")).containsExactly(e.id());
        List<Command> offs = all(CommandType.RELAY_OFF);
        assertThat(offs).hasSize(3);
        assertThat(offs)
                .extracting(Command::notBefore)
                .containsExactlyInAnyOrder(start, start.plusSeconds(30), start.plusSeconds(60));
        assertThat(offs).allSatisfy(c -> assertThat(c.origin()).isEqualTo("dr:" + e.id()));

        clock.set(start.plusSeconds(600));
        dr.override(customers.get(1), e.id(), "heater");
        assertThat(all(CommandType.RELAY_ON)).singleElement().satisfies(c -> {
            assertThat(c.customerId()).isEqualTo(customers.get(1));
            assertThat(c.origin()).startsWith("dr-override:");
        });

        clock.set(end);
        dr.tick();
        assertThat(dr.event(e.id()).orElseThrow().status()).isEqualTo(Event.Status.ENDED);
        assertThat(dr.activeEvents("north")).isEmpty();
        // the two others are restored; the overridden one was already on
        assertThat(all(CommandType.RELAY_ON)).hasSize(3);
    }

    @Test
    void theReductionIsMeasuredAgainstTheSameWindowOnPreviousSimilarDays() {
        DemandResponse dr = dr();
        dr.putProgram(new Program("heat", null, "north", Set.of(Category.WATER_HEATER), 0));
        long c = customers.get(0);
        dr.enroll(c, "heat", "heater");
        Channel power = registry.channelOrCreate(
                registry.device(c, "heater").orElseThrow().id(),
                "active_power",
                Quantity.ACTIVE_POWER,
                Accumulation.INSTANT);
        Instant start = Instant.parse("2026-11-18T18:00:00Z");
        Instant end = Instant.parse("2026-11-18T18:30:00Z");
        // 2000 W in that window on previous weekdays, 500 W on weekend days (must not count), 300 W in the event
        List<Reading> readings = new ArrayList<>();
        for (int back = 1; back <= 20; back++) {
            Instant day = start.minus(Duration.ofDays(back));
            DayOfWeek dow = day.atZone(UTC).getDayOfWeek();
            double w = dow == DayOfWeek.SATURDAY || dow == DayOfWeek.SUNDAY ? 500 : 2000;
            for (int m = 0; m < 30; m++) {
                readings.add(new Reading(power.id(), day.plusSeconds(60L * m).toEpochMilli(), w));
            }
        }
        for (int m = 0; m < 30; m++) {
            readings.add(new Reading(power.id(), start.plusSeconds(60L * m).toEpochMilli(), 300));
        }
        store.readings().ensureMonth(YearMonth.of(2026, 10));
        store.readings().ensureMonth(YearMonth.of(2026, 11));
        readings.sort((a, b) -> Long.compare(a.timestamp(), b.timestamp()));
        store.readings().append(new WriteBatch(readings, List.of(), List.of()));
        Event e = dr.createEvent("heat", start, end, 1.0);
        clock.set(start);
        dr.tick();
        clock.set(end);
        dr.tick();

        Reduction r = dr.reduction(e.id());

        assertThat(r.customers()).singleElement().satisfies(row -> {
            assertThat(row.baselineDays()).isEqualTo(10);
            assertThat(row.baselineWh()).isCloseTo(1000, within(1e-6)); // 2 kW for half an hour
            assertThat(row.actualWh()).isCloseTo(150, within(1e-6));
            assertThat(row.reductionWh()).isCloseTo(850, within(1e-6));
        });
        assertThat(r.reductionWh()).isCloseTo(850, within(1e-6));
        assertThat(r.reductionKw()).isCloseTo(1.7, within(1e-9));
        assertThat(r.targetReductionKw()).isEqualTo(1.0);
    }

    @Test
    void aScheduleSwitchesOffWhenItsWindowOpensAndOnWhenItCloses() {
        Schedules schedules = new Schedules(registry, store.documents(), commands, clock);
        long c = customers.get(0);
        clock.set(Instant.parse("2026-11-18T17:59:00Z")); // Wednesday
        schedules.add(new Schedule(
                null,
                c,
                null,
                "water_heater",
                Set.of(DayOfWeek.MONDAY, DayOfWeek.WEDNESDAY),
                LocalTime.of(18, 0),
                LocalTime.of(22, 0)));
        assertThat(all(CommandType.RELAY_OFF)).isEmpty();

        clock.set(Instant.parse("2026-11-18T18:00:00Z"));
        schedules.tick();
        schedules.tick();
        assertThat(all(CommandType.RELAY_OFF)).singleElement().satisfies(x -> assertThat(x.deviceRef())
                .isEqualTo("heater"));

        clock.set(Instant.parse("2026-11-18T22:00:00Z"));
        schedules.tick();
        assertThat(all(CommandType.RELAY_ON)).hasSize(1);

        clock.set(Instant.parse("2026-11-19T18:30:00Z")); // Thursday: not a day of the rule
        schedules.tick();
        assertThat(all(CommandType.RELAY_OFF)).hasSize(1);
        assertThatThrownBy(() -> new Schedule(
                        null, c, "heater", null, Set.of(DayOfWeek.MONDAY), LocalTime.of(22, 0), LocalTime.of(6, 0)))
                .hasMessageContaining("from < to");
    }

    private List<Command> all(CommandType type) {
        List<Command> out = new ArrayList<>();
        for (long c : customers) {
            commands.list(c, null, 100).stream().filter(x -> x.type() == type).forEach(out::add);
        }
        return out;
    }

    /** A clock the test sets. */
    static final class CommandServiceClock extends java.time.Clock {
        private volatile Instant now;

        CommandServiceClock(Instant now) {
            this.now = now;
        }

        void set(Instant at) {
            now = at;
        }

        @Override
        public ZoneId getZone() {
            return UTC;
        }

        @Override
        public java.time.Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
