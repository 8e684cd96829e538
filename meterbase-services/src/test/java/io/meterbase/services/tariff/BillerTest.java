package io.meterbase.services.tariff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meterbase.core.api.tariff.Bill;
import io.meterbase.core.api.tariff.ExportTerms;
import io.meterbase.core.api.tariff.LineItem;
import io.meterbase.core.api.tariff.NoTariffException;
import io.meterbase.core.api.tariff.PricePoint;
import io.meterbase.core.api.tariff.Pricing;
import io.meterbase.core.api.tariff.Tariff;
import io.meterbase.core.api.tariff.TariffVersion;
import io.meterbase.core.api.tariff.Tier;
import io.meterbase.core.api.tariff.TouPeriod;
import io.meterbase.core.model.Category;
import io.meterbase.core.model.Device;
import io.meterbase.core.model.DeviceType;
import io.meterbase.core.query.Commodity;
import io.meterbase.core.store.memory.MemoryStore;
import io.meterbase.services.json.ControlJson;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BillerTest {

    private static final ZoneId ZONE = ZoneId.of("Europe/Madrid");
    private static final long HOUR = 3_600_000L;

    private MemoryStore store;
    private TariffBook book;
    private CustomerGroups groups;
    private final FixedUsage usage = new FixedUsage();

    @BeforeEach
    void open() {
        store = MemoryStore.open();
        book = new TariffBook(store.documents());
        groups = new CustomerGroups(store.documents());
    }

    @AfterEach
    void close() {
        store.close();
    }

    private Biller biller(Instant now) {
        return new Biller(book, groups, usage, Clock.fixed(now, ZoneOffset.UTC));
    }

    private static long local(String dateTime) {
        return java.time.LocalDateTime.parse(dateTime).atZone(ZONE).toInstant().toEpochMilli();
    }

    private static Instant at(String dateTime) {
        return Instant.ofEpochMilli(local(dateTime));
    }

    private static TariffVersion flat(String from, String price, String standing) {
        return new TariffVersion(
                LocalDate.parse(from),
                Pricing.FLAT,
                new BigDecimal(price),
                null,
                null,
                null,
                null,
                standing == null ? null : new BigDecimal(standing));
    }

    @Test
    void aTariffChangeCostsEachHourWithTheVersionInForce() {
        book.put(new Tariff(
                "res",
                "Residential",
                Commodity.ELECTRICITY,
                null,
                "EUR",
                List.of(flat("2026-01-01", "0.20", "0.50"), flat("2026-11-15", "0.30", "0.60"))));
        // 1 kWh every hour from 14 Nov 00:00 to 16 Nov 00:00 local: 24 kWh under each version
        for (long h = local("2026-11-14T00:00"); h < local("2026-11-16T00:00"); h += HOUR) {
            usage.put("meter", h, 1000);
        }

        Bill bill = biller(at("2026-11-20T00:00"))
                .bill(1, Commodity.ELECTRICITY, at("2026-11-14T00:00"), at("2026-11-16T00:00"));

        assertThat(bill.lines())
                .extracting(LineItem::description, LineItem::quantity, LineItem::amount)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(
                                "Energy (terms of 2026-01-01)", new BigDecimal("24.000"), new BigDecimal("4.80")),
                        org.assertj.core.groups.Tuple.tuple(
                                "Energy (terms of 2026-11-15)", new BigDecimal("24.000"), new BigDecimal("7.20")),
                        org.assertj.core.groups.Tuple.tuple(
                                "Standing charge (terms of 2026-01-01)",
                                new BigDecimal("1.0000"),
                                new BigDecimal("0.50")),
                        org.assertj.core.groups.Tuple.tuple(
                                "Standing charge (terms of 2026-11-15)",
                                new BigDecimal("1.0000"),
                                new BigDecimal("0.60")));
        assertThat(bill.total()).isEqualByComparingTo("13.10");
        assertThat(bill.consumption()).isEqualByComparingTo("48");
        assertThat(bill.byDevice()).containsEntry("meter", new BigDecimal("12.00"));
    }

    @Test
    void timeOfUseSplitsAtPeriodBoundariesAndPricesHolidaysApart() {
        TariffVersion tou = new TariffVersion(
                LocalDate.parse("2026-01-01"),
                Pricing.TIME_OF_USE,
                new BigDecimal("0.10"),
                List.of(
                        new TouPeriod(
                                "peak",
                                Set.of("mon", "tue", "wed", "thu", "fri"),
                                LocalTime.of(18, 0),
                                LocalTime.of(22, 0),
                                new BigDecimal("0.40")),
                        new TouPeriod(
                                "holiday",
                                Set.of("HOLIDAY"),
                                LocalTime.MIDNIGHT,
                                LocalTime.MIDNIGHT,
                                new BigDecimal("0.05"))),
                Set.of(LocalDate.parse("2026-12-08")),
                null,
                null,
                null);
        book.put(new Tariff("tou", null, Commodity.ELECTRICITY, null, "EUR", List.of(tou)));
        // Monday 7 Dec (weekday) and Tuesday 8 Dec (a holiday): 2 kWh each hour 17:00-23:00
        for (String day : List.of("2026-12-07", "2026-12-08")) {
            for (int h = 17; h < 23; h++) {
                usage.put("meter", local(day + "T" + String.format("%02d", h) + ":00"), 2000);
            }
        }

        Bill bill = biller(at("2026-12-10T00:00"))
                .bill(1, Commodity.ELECTRICITY, at("2026-12-07T00:00"), at("2026-12-09T00:00"));

        // weekday: 17-18 and 22-23 off-peak (4 kWh), 18-22 peak (8 kWh); holiday: 12 kWh at 0.05
        assertThat(bill.lines())
                .extracting(LineItem::description, LineItem::quantity, LineItem::unitPrice, LineItem::amount)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(
                                "Energy, other hours (terms of 2026-01-01)",
                                new BigDecimal("4.000"),
                                new BigDecimal("0.10"),
                                new BigDecimal("0.40")),
                        org.assertj.core.groups.Tuple.tuple(
                                "Energy, peak (terms of 2026-01-01)",
                                new BigDecimal("8.000"),
                                new BigDecimal("0.40"),
                                new BigDecimal("3.20")),
                        org.assertj.core.groups.Tuple.tuple(
                                "Energy, holiday (terms of 2026-01-01)",
                                new BigDecimal("12.000"),
                                new BigDecimal("0.05"),
                                new BigDecimal("0.60")));
        assertThat(bill.total()).isEqualByComparingTo("4.20");
    }

    @Test
    void tieredBlocksFillFromTheStartOfTheBillingPeriod() {
        TariffVersion tiered = new TariffVersion(
                LocalDate.parse("2026-01-01"),
                Pricing.TIERED,
                null,
                null,
                null,
                List.of(
                        new Tier(new BigDecimal("100"), new BigDecimal("0.10")),
                        new Tier(new BigDecimal("200"), new BigDecimal("0.20")),
                        new Tier(null, new BigDecimal("0.30"))),
                5,
                null);
        book.put(new Tariff("tiers", null, Commodity.ELECTRICITY, null, "EUR", List.of(tiered)));
        // 90 kWh on 5 Nov (the period starts on the 5th), then 150 kWh on 10 Nov, 20 kWh on 5 Dec (new period)
        usage.put("meter", local("2026-11-05T10:00"), 90_000);
        usage.put("meter", local("2026-11-10T10:00"), 150_000);
        usage.put("meter", local("2026-12-05T10:00"), 20_000);

        Bill tail = biller(at("2026-12-06T00:00"))
                .bill(1, Commodity.ELECTRICITY, at("2026-11-10T00:00"), at("2026-12-06T00:00"));

        // 10 kWh left in block 1, 100 in block 2, 40 in block 3; then a new period starts at block 1
        assertThat(tail.lines())
                .extracting(LineItem::description, LineItem::quantity, LineItem::amount)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(
                                "Energy, block 1 (0-100 kWh) (terms of 2026-01-01)",
                                new BigDecimal("30.000"),
                                new BigDecimal("3.00")),
                        org.assertj.core.groups.Tuple.tuple(
                                "Energy, block 2 (100-200 kWh) (terms of 2026-01-01)",
                                new BigDecimal("100.000"),
                                new BigDecimal("20.00")),
                        org.assertj.core.groups.Tuple.tuple(
                                "Energy, block 3 (200- kWh) (terms of 2026-01-01)",
                                new BigDecimal("40.000"),
                                new BigDecimal("12.00")));
        assertThat(tail.total()).isEqualByComparingTo("35.00");

        // the billing period so far on 6 Dec: 20 kWh, all in block 1
        Bill period = biller(at("2026-12-06T00:00")).soFar(1, Commodity.ELECTRICITY, Biller.SoFar.BILLING_PERIOD);
        assertThat(period.from()).isEqualTo(at("2026-12-05T00:00"));
        assertThat(period.total()).isEqualByComparingTo("2.00");
        assertThat(biller(at("2026-12-06T00:00")).priceNow(1, Commodity.ELECTRICITY))
                .contains(new BigDecimal("0.10"));
    }

    @Test
    void dynamicPricesApplyWhereThereArePostedAndTheDefaultElsewhere() {
        book.put(new Tariff(
                "spot",
                null,
                Commodity.ELECTRICITY,
                null,
                "EUR",
                List.of(new TariffVersion(
                        LocalDate.parse("2026-01-01"),
                        Pricing.DYNAMIC,
                        new BigDecimal("0.25"),
                        null,
                        null,
                        null,
                        null,
                        null))));
        book.postPrices(
                "spot",
                List.of(
                        new PricePoint(at("2026-11-20T10:00"), new BigDecimal("0.10")),
                        new PricePoint(at("2026-11-20T11:00"), new BigDecimal("-0.02"))));
        usage.put("meter", local("2026-11-20T10:00"), 1000);
        usage.put("meter", local("2026-11-20T11:00"), 1000);
        usage.put("meter", local("2026-11-22T09:00"), 1000); // more than a day after the last posted price

        Bill bill = biller(at("2026-11-23T00:00"))
                .bill(1, Commodity.ELECTRICITY, at("2026-11-20T00:00"), at("2026-11-23T00:00"));

        assertThat(bill.lines())
                .extracting(LineItem::description, LineItem::amount)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(
                                "Energy at posted prices (terms of 2026-01-01)", new BigDecimal("0.08")),
                        org.assertj.core.groups.Tuple.tuple(
                                "Energy, hours without a posted price (terms of 2026-01-01)", new BigDecimal("0.25")));
        // prices survive a restart
        assertThat(new TariffBook(store.documents()).postedPrice("spot", local("2026-11-20T11:30")))
                .contains(new BigDecimal("-0.02"));
    }

    @Test
    void billsAreReproducibleAndCostsSplitByDeviceAndCategory() {
        book.put(new Tariff(
                "res", null, Commodity.ELECTRICITY, null, "EUR", List.of(flat("2026-01-01", "0.1234", null))));
        usage.device("fridge", Category.FRIDGE);
        usage.device("heater", Category.WATER_HEATER);
        for (long h = local("2026-11-20T00:00"); h < local("2026-11-21T00:00"); h += HOUR) {
            usage.put("fridge", h, 123.4567);
            usage.put("heater", h, 1999.99);
        }
        Biller biller = biller(at("2026-11-21T00:00"));

        Bill a = biller.bill(1, Commodity.ELECTRICITY, at("2026-11-20T00:00"), at("2026-11-21T00:00"));
        Bill b = biller.bill(1, Commodity.ELECTRICITY, at("2026-11-20T00:00"), at("2026-11-21T00:00"));

        assertThat(ControlJson.write(a)).isEqualTo(ControlJson.write(b));
        assertThat(a.byDevice())
                .containsEntry("fridge", new BigDecimal("0.37"))
                .containsEntry("heater", new BigDecimal("5.92"));
        assertThat(a.byCategory()).containsOnlyKeys("fridge", "water_heater");
        assertThat(a.total()).isEqualByComparingTo("6.29");
    }

    @Test
    void refusesInvalidTariffsAndCustomersWithoutOne() {
        assertThatThrownBy(() -> new TariffVersion(
                        LocalDate.parse("2026-01-01"),
                        Pricing.TIERED,
                        null,
                        null,
                        null,
                        List.of(new Tier(new BigDecimal("100"), new BigDecimal("0.1"))),
                        null,
                        null))
                .hasMessageContaining("the last without up_to");
        assertThatThrownBy(() -> ControlJson.read(
                        "{\"id\":\"x\",\"commodity\":\"electricity\",\"currency\":\"eur\",\"versions\":[]}",
                        Tariff.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("currency");
        assertThatThrownBy(() -> biller(Instant.now()).soFar(1, Commodity.GAS, Biller.SoFar.TODAY))
                .isInstanceOf(NoTariffException.class);
    }

    @Test
    void aGroupTariffWinsOverTheDefaultAndBothSurviveARestart() {
        book.put(new Tariff("res", null, Commodity.ELECTRICITY, null, "EUR", List.of(flat("2026-01-01", "0.2", null))));
        book.put(new Tariff(
                "biz", null, Commodity.ELECTRICITY, "business", "EUR", List.of(flat("2026-01-01", "0.15", null))));
        groups.assign(7, "business");

        Biller fresh = new Biller(
                new TariffBook(store.documents()),
                new CustomerGroups(store.documents()),
                usage,
                Clock.fixed(at("2026-11-20T12:00"), ZoneOffset.UTC));

        assertThat(fresh.tariffOf(7, Commodity.ELECTRICITY)).map(Tariff::id).contains("biz");
        assertThat(fresh.tariffOf(8, Commodity.ELECTRICITY)).map(Tariff::id).contains("res");
        assertThatThrownBy(() -> book.put(new Tariff(
                        "other",
                        null,
                        Commodity.ELECTRICITY,
                        "business",
                        "EUR",
                        List.of(flat("2026-01-01", "1", null)))))
                .hasMessageContaining("already prices");
    }

    private static TariffVersion withExport(TariffVersion v, ExportTerms export) {
        return with(v, export, null);
    }

    private static TariffVersion withCircuit(TariffVersion v, io.meterbase.core.api.tariff.ControlledLoad circuit) {
        return with(v, null, circuit);
    }

    /** A version with export terms or a controlled-load circuit besides its own terms. */
    private static TariffVersion with(
            TariffVersion v,
            @org.jspecify.annotations.Nullable ExportTerms export,
            io.meterbase.core.api.tariff.@org.jspecify.annotations.Nullable ControlledLoad circuit) {
        return new TariffVersion(
                v.effectiveFrom(),
                v.pricing(),
                v.price(),
                v.periods(),
                v.holidays(),
                v.tiers(),
                v.billingDay(),
                v.standingChargePerDay(),
                export,
                circuit);
    }

    private static org.assertj.core.groups.Tuple line(String description, String quantity, String amount) {
        return org.assertj.core.groups.Tuple.tuple(description, new BigDecimal(quantity), new BigDecimal(amount));
    }

    @Test
    void netBilling_creditsEachExportedHourAtItsFeedInPrice_flatTimeOfUseAndPosted() {
        ExportTerms tou = new ExportTerms(
                ExportTerms.ExportScheme.NET_BILLING,
                Pricing.TIME_OF_USE,
                new BigDecimal("0.10"),
                List.of(new TouPeriod(
                        "midday",
                        Set.of("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"),
                        LocalTime.of(10, 0),
                        LocalTime.of(16, 0),
                        new BigDecimal("0.05"))),
                null,
                null,
                null);
        book.put(new Tariff(
                "solar",
                "Solar home",
                Commodity.ELECTRICITY,
                null,
                "EUR",
                List.of(
                        withExport(flat("2026-01-01", "0.30", null), flatExport("0.08")),
                        withExport(flat("2026-11-10", "0.30", null), tou),
                        withExport(
                                flat("2026-11-12", "0.30", null),
                                new ExportTerms(
                                        ExportTerms.ExportScheme.NET_BILLING,
                                        Pricing.DYNAMIC,
                                        new BigDecimal("0.07"),
                                        null,
                                        null,
                                        null,
                                        null)))));
        // 9 Nov (flat feed-in 0.08): 10 kWh imported at night, 2 kWh exported in each of 5 midday hours
        for (int h = 0; h < 10; h++) {
            usage.put("meter", local("2026-11-09T00:00") + h * HOUR, 1000);
        }
        for (int h = 10; h < 15; h++) {
            usage.export(local("2026-11-09T00:00") + h * HOUR, 2000);
        }
        // 10 Nov (time of use: midday 0.05, other hours 0.10): 1 kWh exported at 12:00 and 1 kWh at 18:00
        usage.export(local("2026-11-10T12:00"), 1000);
        usage.export(local("2026-11-10T18:00"), 1000);
        // 12 Nov (posted export prices, 0.07 where none): 3 kWh at 11:00 at the posted 0.12, 1 kWh at 20:00
        book.postPrices(
                "solar" + io.meterbase.core.api.tariff.TariffsApi.EXPORT,
                List.of(new PricePoint(at("2026-11-12T11:00"), new BigDecimal("0.12"))));
        usage.export(local("2026-11-12T11:00"), 3000);
        usage.export(local("2026-11-13T20:00"), 1000);

        Bill bill = biller(at("2026-11-20T00:00"))
                .bill(1, Commodity.ELECTRICITY, at("2026-11-09T00:00"), at("2026-11-14T00:00"));

        assertThat(bill.lines())
                .extracting(LineItem::description, LineItem::quantity, LineItem::amount)
                .containsExactly(
                        line("Energy (terms of 2026-01-01)", "10.000", "3.00"),
                        line("Energy exported, feed-in (terms of 2026-01-01)", "-10.000", "-0.80"),
                        line("Energy exported, midday (terms of 2026-11-10)", "-1.000", "-0.05"),
                        line("Energy exported, other hours (terms of 2026-11-10)", "-1.000", "-0.10"),
                        line("Energy exported, at posted prices (terms of 2026-11-12)", "-3.000", "-0.36"),
                        line("Energy exported, hours without a posted price (terms of 2026-11-12)", "-1.000", "-0.07"));
        assertThat(bill.total()).isEqualByComparingTo("1.62");
    }

    private static ExportTerms flatExport(String price) {
        return new ExportTerms(
                ExportTerms.ExportScheme.NET_BILLING, Pricing.FLAT, new BigDecimal(price), null, null, null, null);
    }

    /**
     * Net metering over four monthly periods, true-up at the end of March at 0.04 per kWh left: January imports 100
     * kWh and exports 40 (40 netted, nothing left); February imports 50 and exports 80 (50 netted, 30 carried);
     * March imports 20 and exports 40 (20 netted, 50 left: paid 2.00 at the true-up); April imports 10 (nothing
     * carried from before the true-up). Each month billed alone knows what the months before it left.
     */
    @Test
    void netMetering_netsEachPeriod_carriesTheCreditOver_andPaysItOutAtTheTrueUp() {
        book.put(new Tariff(
                "nem",
                "Net metering",
                Commodity.ELECTRICITY,
                null,
                "EUR",
                List.of(withExport(
                        flat("2026-01-01", "0.25", null),
                        new ExportTerms(
                                ExportTerms.ExportScheme.NET_METERING,
                                null,
                                null,
                                null,
                                null,
                                3,
                                new BigDecimal("0.04"))))));
        String[][] months = {
            {"2026-01", "100", "40"}, {"2026-02", "50", "80"}, {"2026-03", "20", "40"}, {"2026-04", "10", "0"}
        };
        for (String[] m : months) {
            usage.put("meter", local(m[0] + "-10T03:00"), Double.parseDouble(m[1]) * 1000);
            if (!m[2].equals("0")) {
                usage.export(local(m[0] + "-10T13:00"), Double.parseDouble(m[2]) * 1000);
            }
        }
        Biller biller = biller(at("2026-06-01T00:00"));

        Bill january = biller.bill(1, Commodity.ELECTRICITY, at("2026-01-01T00:00"), at("2026-02-01T00:00"));
        assertThat(january.lines())
                .extracting(LineItem::description, LineItem::quantity, LineItem::amount)
                .containsExactly(
                        line("Energy (terms of 2026-01-01)", "100.000", "25.00"),
                        line(
                                "Energy exported, netted against energy imported (terms of 2026-01-01)",
                                "-40.000",
                                "-10.00"));
        assertThat(january.total()).isEqualByComparingTo("15.00");

        Bill february = biller.bill(1, Commodity.ELECTRICITY, at("2026-02-01T00:00"), at("2026-03-01T00:00"));
        assertThat(february.lines())
                .extracting(LineItem::description, LineItem::quantity, LineItem::amount)
                .containsExactly(
                        line("Energy (terms of 2026-01-01)", "50.000", "12.50"),
                        line(
                                "Energy exported, netted against energy imported (terms of 2026-01-01)",
                                "-50.000",
                                "-12.50"),
                        line("Credit carried to the next period (terms of 2026-01-01)", "30.000", "0.00"));
        assertThat(february.total()).isEqualByComparingTo("0.00");

        Bill march = biller.bill(1, Commodity.ELECTRICITY, at("2026-03-01T00:00"), at("2026-04-01T00:00"));
        assertThat(march.lines())
                .extracting(LineItem::description, LineItem::quantity, LineItem::amount)
                .containsExactly(
                        line("Energy (terms of 2026-01-01)", "20.000", "5.00"),
                        line(
                                "Energy exported, netted against energy imported (terms of 2026-01-01)",
                                "-20.000",
                                "-5.00"),
                        line("True-up: credit left at the end of the year (terms of 2026-01-01)", "-50.000", "-2.00"));
        assertThat(march.total()).isEqualByComparingTo("-2.00");

        Bill april = biller.bill(1, Commodity.ELECTRICITY, at("2026-04-01T00:00"), at("2026-05-01T00:00"));
        assertThat(april.lines())
                .extracting(LineItem::description, LineItem::quantity, LineItem::amount)
                .containsExactly(line("Energy (terms of 2026-01-01)", "10.000", "2.50"));

        // the four months in one bill: the same netting, period by period
        Bill all = biller.bill(1, Commodity.ELECTRICITY, at("2026-01-01T00:00"), at("2026-05-01T00:00"));
        assertThat(all.total()).isEqualByComparingTo("15.50");
        // a bill for the second half of March holds the end of the true-up period: it pays the credit out, though
        // March's readings all came in its first half
        Bill lateMarch = biller.bill(1, Commodity.ELECTRICITY, at("2026-03-15T00:00"), at("2026-04-01T00:00"));
        assertThat(lateMarch.lines())
                .extracting(LineItem::description, LineItem::quantity, LineItem::amount)
                .containsExactly(
                        line("True-up: credit left at the end of the year (terms of 2026-01-01)", "-50.000", "-2.00"));
        // a bill that ends before the true-up period ends pays nothing out yet: the credit is carried
        Bill midMarch = biller.bill(1, Commodity.ELECTRICITY, at("2026-03-01T00:00"), at("2026-03-20T00:00"));
        assertThat(midMarch.lines())
                .extracting(LineItem::description, LineItem::quantity, LineItem::amount)
                .contains(line("Credit carried to the next period (terms of 2026-01-01)", "50.000", "0.00"))
                .noneMatch(t -> String.valueOf(t.toList().get(0)).startsWith("True-up"));
    }

    /**
     * A water heater on a controlled-load circuit at 0.12 (general 0.30). While it is sub-metered behind the main
     * meter (version of 1 Jan), the main meter's hour holds it: 3 kWh at the main, 2 of them the heater's, bill 1 kWh
     * general (0.30) and 2 kWh controlled (0.24). Once it has its own meter at the board (version of 12 Nov), the main
     * meter does not see it: 3 kWh general (0.90) and 2 kWh controlled (0.24).
     */
    @Test
    void aControlledLoadCircuit_isPricedApart_andNeverBilledTwice() {
        TariffVersion sub = flat("2026-01-01", "0.30", null);
        TariffVersion own = flat("2026-11-12", "0.30", null);
        io.meterbase.core.api.tariff.ControlledLoad behind = new io.meterbase.core.api.tariff.ControlledLoad(
                Set.of(Category.WATER_HEATER), new BigDecimal("0.12"), false);
        io.meterbase.core.api.tariff.ControlledLoad apart = new io.meterbase.core.api.tariff.ControlledLoad(
                Set.of(Category.WATER_HEATER), new BigDecimal("0.12"), true);
        book.put(new Tariff(
                "cl",
                null,
                Commodity.ELECTRICITY,
                null,
                "EUR",
                List.of(withCircuit(sub, behind), withCircuit(own, apart))));
        usage.device("main", Category.MAIN);
        usage.device("heater", Category.WATER_HEATER);
        usage.put("main", local("2026-11-11T03:00"), 3000);
        usage.put("heater", local("2026-11-11T03:00"), 2000);
        usage.put("main", local("2026-11-12T03:00"), 3000);
        usage.put("heater", local("2026-11-12T03:00"), 2000);

        Bill bill = biller(at("2026-11-20T00:00"))
                .bill(1, Commodity.ELECTRICITY, at("2026-11-11T00:00"), at("2026-11-13T00:00"));

        assertThat(bill.lines())
                .extracting(LineItem::description, LineItem::quantity, LineItem::amount)
                .containsExactly(
                        line("Energy (terms of 2026-01-01)", "1.000", "0.30"),
                        line("Energy (terms of 2026-11-12)", "3.000", "0.90"),
                        line("Controlled load (terms of 2026-01-01)", "2.000", "0.24"),
                        line("Controlled load (terms of 2026-11-12)", "2.000", "0.24"));
        assertThat(bill.total()).isEqualByComparingTo("1.68");
        assertThatThrownBy(() ->
                        new io.meterbase.core.api.tariff.ControlledLoad(Set.of(Category.MAIN), BigDecimal.ONE, null))
                .hasMessageContaining("main meter is not a controlled load");
    }

    /** A new price in the middle of the netting year is no new count: February's credit reaches March's bill. */
    @Test
    void netMetering_keepsTheCreditAcrossANewVersion() {
        ExportTerms nem = new ExportTerms(
                ExportTerms.ExportScheme.NET_METERING, null, null, null, null, 3, new BigDecimal("0.04"));
        book.put(new Tariff(
                "nem",
                null,
                Commodity.ELECTRICITY,
                null,
                "EUR",
                List.of(
                        withExport(flat("2026-01-01", "0.25", null), nem),
                        withExport(flat("2026-03-01", "0.30", null), nem))));
        usage.put("meter", local("2026-02-10T03:00"), 50_000);
        usage.export(local("2026-02-10T13:00"), 80_000);
        usage.put("meter", local("2026-03-10T03:00"), 20_000);

        Bill march = biller(at("2026-06-01T00:00"))
                .bill(1, Commodity.ELECTRICITY, at("2026-03-01T00:00"), at("2026-04-01T00:00"));

        // 30 kWh carried from February cover March's 20 kWh (at March's 0.30); 10 kWh are paid at the true-up
        assertThat(march.lines())
                .extracting(LineItem::description, LineItem::quantity, LineItem::amount)
                .containsExactly(
                        line("Energy (terms of 2026-03-01)", "20.000", "6.00"),
                        line(
                                "Energy exported, netted against energy imported (terms of 2026-03-01)",
                                "-20.000",
                                "-6.00"),
                        line("True-up: credit left at the end of the year (terms of 2026-03-01)", "-10.000", "-0.40"));
    }

    @Test
    void exportTermsThatCannotBeUsed_areRefusedWithTheReason() {
        assertThatThrownBy(() -> new ExportTerms(null, null, null, null, null, null, null))
                .hasMessageContaining("export price is required");
        assertThatThrownBy(() -> new ExportTerms(null, Pricing.TIERED, BigDecimal.ONE, null, null, null, null))
                .hasMessageContaining("not tiered");
        assertThatThrownBy(
                        () -> new ExportTerms(ExportTerms.ExportScheme.NET_METERING, null, null, null, null, 13, null))
                .hasMessageContaining("true_up_month must be 1-12");
        // as an operator writes them: JSON in, the same terms stored and read back
        TariffVersion v = ControlJson.read("""
                {"effective_from":"2026-01-01","pricing":"flat","price":0.3,
                 "export":{"scheme":"net_metering","true_up_month":12,"true_up_price":0.03}}""", TariffVersion.class);
        assertThat(v.export()).isNotNull();
        assertThat(v.export().scheme()).isEqualTo(ExportTerms.ExportScheme.NET_METERING);
        book.put(new Tariff("t", null, Commodity.ELECTRICITY, null, "EUR", List.of(v)));
        assertThat(new TariffBook(store.documents())
                        .get("t")
                        .orElseThrow()
                        .versions()
                        .get(0)
                        .export())
                .isEqualTo(v.export());
    }

    /** Hourly consumption given by the test. */
    private static final class FixedUsage implements Usage {
        private final Map<String, NavigableMap<Long, Double>> hours = new HashMap<>();
        private final NavigableMap<Long, Double> exports = new TreeMap<>();

        void export(long hour, double wh) {
            exports.put(hour, wh);
        }

        @Override
        public NavigableMap<Long, Double> exported(long customerId, long from, long to) {
            return new TreeMap<>(exports.subMap(from, to));
        }

        private final Map<String, Category> categories = new HashMap<>();

        void put(String ref, long hour, double amount) {
            hours.computeIfAbsent(ref, k -> new TreeMap<>()).put(hour, amount);
        }

        void device(String ref, Category category) {
            categories.put(ref, category);
        }

        /** As the store's usage: the main meters when there are any, else every device. */
        @Override
        public List<Device> counted(long customerId) {
            List<Device> mains = all(customerId).stream()
                    .filter(d -> d.category() == Category.MAIN)
                    .toList();
            return mains.isEmpty() ? all(customerId) : mains;
        }

        @Override
        public List<Device> all(long customerId) {
            return hours.keySet().stream()
                    .sorted()
                    .map(ref -> new Device(
                            (ref.hashCode() & 0x7fffffff) + 1L,
                            customerId,
                            1,
                            0,
                            ref,
                            ref,
                            DeviceType.SMART_PLUG,
                            categories.getOrDefault(ref, Category.OTHER)))
                    .toList();
        }

        @Override
        public ZoneId zone(long customerId) {
            return ZONE;
        }

        @Override
        public Map<String, NavigableMap<Long, Double>> hourly(
                Collection<Device> devices, Commodity commodity, long from, long to) {
            Map<String, NavigableMap<Long, Double>> out = new HashMap<>();
            for (Device d : devices) {
                NavigableMap<Long, Double> h = hours.getOrDefault(d.ref(), new TreeMap<>());
                out.put(d.ref(), new TreeMap<>(h.subMap(from, to)));
            }
            return out;
        }
    }
}
