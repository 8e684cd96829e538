package io.meterbase.app;

import io.meterbase.core.api.community.CommunitySettings;
import io.meterbase.core.api.dr.Program;
import io.meterbase.core.api.tariff.ExportTerms;
import io.meterbase.core.api.tariff.Pricing;
import io.meterbase.core.api.tariff.Tariff;
import io.meterbase.core.api.tariff.TariffVersion;
import io.meterbase.core.api.tariff.TouPeriod;
import io.meterbase.core.model.Category;
import io.meterbase.core.model.Customer;
import io.meterbase.core.model.Device;
import io.meterbase.core.query.Commodity;
import io.meterbase.services.Control;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Set;

/**
 * What the demo adds so that insight and control have something to show: a time-of-use tariff, the capacity of
 * the two demo feeders (80 kW: the simulated homes' evening peak, when water heaters and electric cars start
 * together, goes past it; the rest of the day stays well below), and a demand-response program for the north
 * feeder's water heaters with every one of them enrolled and an event every evening from 19:00 to 20:30, so that the
 * north feeder's evening load is visibly lower than the south's. Left as it is when a previous demo run set it up.
 */
final class DemoControl {

    /** Each demo feeder's capacity. */
    static final double CAPACITY_KW = 80.0;
    /** The evening event of the north feeder's water heaters, home time. */
    static final LocalTime EVENING_FROM = LocalTime.of(19, 0);

    static final LocalTime EVENING_TO = LocalTime.of(20, 30);

    private DemoControl() {}

    /**
     * Makes sure the next evening event of the program exists: today's if it has not ended yet, otherwise
     * tomorrow's. Returns it (the one found or the one made).
     */
    static io.meterbase.core.api.dr.Event eveningEvent(Meterbase server, ZoneId zone, java.time.Instant now) {
        LocalDate day = now.atZone(zone).toLocalDate();
        if (!now.isBefore(day.atTime(EVENING_TO).atZone(zone).toInstant())) {
            day = day.plusDays(1);
        }
        java.time.Instant start = day.atTime(EVENING_FROM).atZone(zone).toInstant();
        java.time.Instant end = day.atTime(EVENING_TO).atZone(zone).toInstant();
        var dr = server.control().demandResponse();
        return dr.events().stream()
                .filter(e -> e.programId().equals("heaters") && e.start().equals(start))
                .findFirst()
                .orElseGet(() -> dr.createEvent("heaters", start, end, null));
    }

    static void setUp(Meterbase server, ZoneId zone) {
        Control control = server.control();
        if (control.tariffs().get("demo-tou").isEmpty()) {
            Set<String> weekdays = Set.of("MON", "TUE", "WED", "THU", "FRI");
            control.tariffs()
                    .put(new Tariff(
                            "demo-tou",
                            "Demo time of use",
                            Commodity.ELECTRICITY,
                            Tariff.DEFAULT_GROUP,
                            "EUR",
                            List.of(new TariffVersion(
                                    LocalDate.now(zone).minusYears(1),
                                    Pricing.TIME_OF_USE,
                                    new BigDecimal("0.14"),
                                    List.of(new TouPeriod(
                                            "peak",
                                            weekdays,
                                            LocalTime.of(18, 0),
                                            LocalTime.of(22, 0),
                                            new BigDecimal("0.32"))),
                                    Set.of(),
                                    List.of(),
                                    1,
                                    new BigDecimal("0.25"),
                                    // the solar homes are paid for what they export (net billing)
                                    new ExportTerms(
                                            ExportTerms.ExportScheme.NET_BILLING,
                                            Pricing.FLAT,
                                            new BigDecimal("0.06"),
                                            List.of(),
                                            Set.of(),
                                            null,
                                            null)))));
        }
        for (String feeder : List.of("north", "south")) {
            if (control.grid().settings(feeder).isEmpty()) {
                control.grid().configure(new CommunitySettings(feeder, CAPACITY_KW, null, null));
            }
        }
        if (control.demandResponse().program("heaters").isEmpty()) {
            control.demandResponse()
                    .putProgram(new Program("heaters", "Water heaters", "north", Set.of(Category.WATER_HEATER), 30));
        }
        for (Customer c : server.registry().customers()) {
            enrol(server, c);
        }
    }

    /** Enrols a north customer's water heaters in the program (again: no harm), once they have reported. */
    static void enrol(Meterbase server, Customer c) {
        Control control = server.control();
        for (Device d : server.registry().devices(c.id())) {
            if (d.category() == Category.WATER_HEATER
                    && server.registry().defaultSite(c.id()).community().equals("north")) {
                control.demandResponse().enroll(c.id(), "heaters", d.ref());
            }
        }
    }
}
