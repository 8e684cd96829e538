package io.meterbase.services.stored;

import io.meterbase.core.api.alarm.Alarm;
import io.meterbase.core.api.alarm.AlarmRule;
import io.meterbase.core.api.alarm.Severity;
import io.meterbase.core.api.alarm.Webhook;
import io.meterbase.core.api.command.Command;
import io.meterbase.core.api.command.CommandStatus;
import io.meterbase.core.api.command.CommandType;
import io.meterbase.core.api.command.RelayState;
import io.meterbase.core.api.community.CommunitySettings;
import io.meterbase.core.api.dr.Event;
import io.meterbase.core.api.dr.Program;
import io.meterbase.core.api.dr.Schedule;
import io.meterbase.core.api.tariff.PricePoint;
import io.meterbase.core.api.tariff.Pricing;
import io.meterbase.core.api.tariff.Tariff;
import io.meterbase.core.api.tariff.TariffVersion;
import io.meterbase.core.api.tariff.Tier;
import io.meterbase.core.api.tariff.TouPeriod;
import io.meterbase.core.model.Category;
import io.meterbase.core.query.Commodity;
import java.math.BigDecimal;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** One value of each kind of stored document, every field set (sets of one element, so their order is fixed). */
final class StoredSamples {

    static final Instant T0 = Instant.parse("2026-03-01T10:15:30Z");

    private StoredSamples() {}

    static Tariff tariff() {
        TariffVersion tou = new TariffVersion(
                LocalDate.parse("2026-01-01"),
                Pricing.TIME_OF_USE,
                new BigDecimal("0.20"),
                List.of(new TouPeriod(
                        "peak", Set.of("MON"), LocalTime.of(17, 0), LocalTime.of(20, 0), new BigDecimal("0.35"))),
                Set.of(LocalDate.parse("2026-12-25")),
                List.of(),
                15,
                new BigDecimal("0.40"));
        TariffVersion tiered = new TariffVersion(
                LocalDate.parse("2026-06-01"),
                Pricing.TIERED,
                null,
                List.of(),
                Set.of(),
                List.of(
                        new Tier(new BigDecimal("100"), new BigDecimal("0.10")),
                        new Tier(null, new BigDecimal("0.30"))),
                1,
                BigDecimal.ZERO);
        return new Tariff(
                "home-tou", "Home time of use", Commodity.ELECTRICITY, "residential", "EUR", List.of(tou, tiered));
    }

    static List<PricePoint> prices() {
        return List.of(
                new PricePoint(T0, new BigDecimal("0.1234")),
                new PricePoint(T0.plusSeconds(3600), new BigDecimal("-0.01")));
    }

    static CommunitySettings community() {
        return new CommunitySettings("north", 250.0, 0.7, 0.95);
    }

    static Alarm alarm() {
        return new Alarm(
                "a-1",
                "r-1",
                7,
                "plug-1",
                "over_voltage",
                Severity.ALARM,
                Alarm.State.ACKNOWLEDGED,
                "voltage 253 V above 250 V",
                253.0,
                T0,
                T0.plusSeconds(60),
                3,
                T0.plusSeconds(90),
                "ops",
                T0.plusSeconds(120));
    }

    static AlarmRule rule() {
        return new AlarmRule(
                "r-1",
                7L,
                "over_voltage",
                AlarmRule.Kind.THRESHOLD,
                "voltage",
                AlarmRule.Direction.ABOVE,
                250.0,
                30,
                null,
                null,
                "plug-1",
                null,
                Severity.ALARM);
    }

    static AlarmRule noDataRule() {
        return new AlarmRule(
                "r-2",
                null,
                "silent",
                AlarmRule.Kind.NO_DATA,
                null,
                null,
                null,
                0,
                60,
                3,
                null,
                "heating",
                Severity.WARNING);
    }

    static Webhook webhook() {
        return new Webhook("w-1", 7L, "https://example.org/hook");
    }

    static Schedule schedule() {
        return new Schedule(
                "s-1", 7, null, "heating", Set.of(DayOfWeek.MONDAY), LocalTime.of(6, 30), LocalTime.MIDNIGHT);
    }

    static Program program() {
        return new Program("p-1", "Evening peak", "north", Set.of(Category.WATER_HEATER), 30);
    }

    static Event event() {
        return new Event(
                "e-1",
                "p-1",
                T0,
                T0.plusSeconds(7200),
                12.5,
                Event.Status.ACTIVE,
                Set.of("7/boiler"),
                Set.of("8/boiler"));
    }

    static Command command() {
        return new Command(
                "c-1",
                7,
                "plug-1",
                "gw-1",
                CommandType.SET_INTERVAL,
                Map.of("seconds", 30),
                "api",
                CommandStatus.ACKNOWLEDGED,
                T0,
                T0.plusSeconds(1),
                T0.plusSeconds(300),
                T0.plusSeconds(2),
                T0.plusSeconds(3),
                null,
                "mqtt",
                "applied",
                "n-1",
                "sig-1");
    }

    static RelayState relay() {
        return new RelayState(true, T0, "command c-1");
    }
}
