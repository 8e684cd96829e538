package io.meterbase.services.tariff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meterbase.core.api.tariff.Bill;
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

    /** Hourly consumption given by the test. */
    private static final class FixedUsage implements Usage {
        private final Map<String, NavigableMap<Long, Double>> hours = new HashMap<>();
        private final Map<String, Category> categories = new HashMap<>();

        void put(String ref, long hour, double amount) {
            hours.computeIfAbsent(ref, k -> new TreeMap<>()).put(hour, amount);
        }

        void device(String ref, Category category) {
            categories.put(ref, category);
        }

        @Override
        public List<Device> counted(long customerId) {
            return all(customerId);
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
