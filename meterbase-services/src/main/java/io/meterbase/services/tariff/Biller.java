package io.meterbase.services.tariff;

import io.meterbase.core.api.tariff.Bill;
import io.meterbase.core.api.tariff.BillsApi;
import io.meterbase.core.api.tariff.ControlledLoad;
import io.meterbase.core.api.tariff.EstimatedPeriod;
import io.meterbase.core.api.tariff.ExportTerms;
import io.meterbase.core.api.tariff.LineItem;
import io.meterbase.core.api.tariff.NoTariffException;
import io.meterbase.core.api.tariff.Pricing;
import io.meterbase.core.api.tariff.Tariff;
import io.meterbase.core.api.tariff.TariffVersion;
import io.meterbase.core.api.tariff.Tier;
import io.meterbase.core.model.Device;
import io.meterbase.core.query.Commodity;
import io.meterbase.core.query.EnergyPoint;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Currency;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Costs consumption with the tariff in force hour by hour, from the hourly rollups. The same consumption and
 * tariffs always give the same bill: amounts are summed exactly and each line is rounded once, to the currency's
 * minor unit; the total is the sum of the rounded lines. Thread-safe.
 */
public final class Biller implements BillsApi {

    private static final long HOUR = 3_600_000L;

    private final TariffBook book;
    private final CustomerGroups groups;
    private final Usage usage;
    private final Clock clock;

    public Biller(TariffBook book, CustomerGroups groups, Usage usage, Clock clock) {
        this.book = book;
        this.groups = groups;
        this.usage = usage;
        this.clock = clock;
    }

    /** The tariff a customer pays for a commodity. */
    public Optional<Tariff> tariffOf(long customerId, Commodity commodity) {
        return book.forGroup(commodity, groups.of(customerId));
    }

    /** The cost from the start of today or of the billing period until now. */
    public Bill soFar(long customerId, Commodity commodity, SoFar period) {
        Tariff tariff = requireTariff(customerId, commodity);
        ZoneId zone = usage.zone(customerId);
        Instant now = clock.instant();
        LocalDate today = LocalDate.ofInstant(now, zone);
        LocalDate start = period == SoFar.TODAY
                ? today
                : tariff.versionOn(today).map(v -> v.billingPeriodStart(today)).orElse(today.withDayOfMonth(1));
        return bill(customerId, commodity, start.atStartOfDay(zone).toInstant(), now);
    }

    /** The unit price in force now for the customer (for tiered tariffs: the block the next unit falls in). */
    public Optional<BigDecimal> priceNow(long customerId, Commodity commodity) {
        Optional<Tariff> tariff = tariffOf(customerId, commodity);
        if (tariff.isEmpty()) {
            return Optional.empty();
        }
        ZonedDateTime now = clock.instant().atZone(usage.zone(customerId));
        Optional<TariffVersion> version = tariff.get().versionOn(now.toLocalDate());
        if (version.isEmpty()) {
            return Optional.empty();
        }
        TariffVersion v = version.get();
        if (v.pricing() == Pricing.TIERED) {
            BigDecimal used = soFar(customerId, commodity, SoFar.BILLING_PERIOD).consumption();
            for (Tier t : v.tiers()) {
                if (t.upTo() == null || used.compareTo(t.upTo()) < 0) {
                    return Optional.of(t.price());
                }
            }
        }
        return Optional.of(unitPrice(tariff.get(), v, now, clock.millis()).price());
    }

    /** The price of a moment for a customer group (flat, time-of-use or dynamic; tiered: the first block). */
    public Optional<BigDecimal> priceAt(Commodity commodity, String group, ZonedDateTime at) {
        return book.forGroup(commodity, group).flatMap(t -> t.versionOn(at.toLocalDate())
                .map(v -> v.pricing() == Pricing.TIERED
                        ? v.tiers().get(0).price()
                        : unitPrice(t, v, at, at.toInstant().toEpochMilli()).price()));
    }

    /** A bill for {@code [from, to)}. */
    public Bill bill(long customerId, Commodity commodity, Instant from, Instant to) {
        return bill(customerId, commodity, from, to, usage.counted(customerId, commodity), true);
    }

    @Override
    public Bill recharge(long customerId, String deviceRef, Commodity commodity, Instant from, Instant to) {
        Device meter = usage.all(customerId).stream()
                .filter(d -> d.ref().equals(deviceRef))
                .findFirst()
                .orElseThrow(() -> new java.util.NoSuchElementException("no device '" + deviceRef + "'"));
        return bill(customerId, commodity, from, to, List.of(meter), false);
    }

    /** A bill of what {@code counted} used in {@code [from, to)}; {@code credits}: the customer's export too. */
    private Bill bill(
            long customerId, Commodity commodity, Instant from, Instant to, List<Device> counted, boolean credits) {
        if (!to.isAfter(from)) {
            throw new IllegalArgumentException("a bill's end must be after its start");
        }
        Tariff tariff = requireTariff(customerId, commodity);
        ZoneId zone = usage.zone(customerId);
        long fromMs = from.toEpochMilli();
        long toMs = to.toEpochMilli();
        long queryFrom = fromMs;
        LocalDate firstDay = LocalDate.ofInstant(from, zone);
        Optional<TariffVersion> first = tariff.versionOn(firstDay);
        if (tariff.versions().stream().anyMatch(v -> v.pricing() == Pricing.TIERED) && first.isPresent()) {
            // blocks fill from the start of the billing period, which may lie before the bill
            queryFrom = Math.min(
                    fromMs,
                    first.get()
                            .billingPeriodStart(firstDay)
                            .atStartOfDay(zone)
                            .toInstant()
                            .toEpochMilli());
        }
        // the hour that contains `from` starts before it: its rollup is taken whole
        queryFrom = Math.floorDiv(queryFrom, HOUR) * HOUR;
        NavigableMap<Long, Double> totals = new TreeMap<>();
        usage.hourly(counted, commodity, queryFrom, toMs)
                .values()
                .forEach(hours -> hours.forEach((h, v) -> totals.merge(h, v, Double::sum)));

        double factor = tariff.unitsPerBillingUnit();
        Map<String, Line> lines = new LinkedHashMap<>();
        Map<String, Line> circuitLines = new LinkedHashMap<>();
        if (credits) {
            controlledLoad(
                    customerId, tariff, zone, counted, totals, Math.floorDiv(fromMs, HOUR) * HOUR, toMs, circuitLines);
        }
        Map<Long, BigDecimal> hourPrice = new HashMap<>();
        BigDecimal uncosted = BigDecimal.ZERO;
        BigDecimal consumed = BigDecimal.ZERO;
        LocalDate tierPeriod = null;
        BigDecimal filled = BigDecimal.ZERO;
        for (Map.Entry<Long, Double> e : totals.entrySet()) {
            long hour = e.getKey();
            boolean billed = hour >= Math.floorDiv(fromMs, HOUR) * HOUR;
            BigDecimal q = BigDecimal.valueOf(e.getValue() / factor);
            if (q.signum() <= 0) {
                continue;
            }
            ZonedDateTime local = Instant.ofEpochMilli(hour).atZone(zone);
            Optional<TariffVersion> version = tariff.versionOn(local.toLocalDate());
            if (version.isEmpty()) {
                uncosted = billed ? uncosted.add(q) : uncosted;
                continue;
            }
            TariffVersion v = version.get();
            String terms = " (terms of " + v.effectiveFrom() + ")";
            if (v.pricing() == Pricing.TIERED) {
                LocalDate period = v.billingPeriodStart(local.toLocalDate());
                if (!period.equals(tierPeriod)) {
                    tierPeriod = period;
                    filled = BigDecimal.ZERO;
                }
                BigDecimal left = q;
                BigDecimal cost = BigDecimal.ZERO;
                BigDecimal lower = BigDecimal.ZERO;
                for (int i = 0; i < v.tiers().size() && left.signum() > 0; i++) {
                    Tier tier = v.tiers().get(i);
                    BigDecimal room = tier.upTo() == null
                            ? left
                            : tier.upTo().subtract(filled).max(BigDecimal.ZERO);
                    BigDecimal take = left.min(room);
                    if (take.signum() > 0) {
                        if (billed) {
                            String range = lower.stripTrailingZeros().toPlainString() + "-"
                                    + (tier.upTo() == null
                                            ? ""
                                            : tier.upTo().stripTrailingZeros().toPlainString()) + " "
                                    + tariff.billingUnit();
                            lines.computeIfAbsent(
                                            "Energy, block " + (i + 1) + " (" + range + ")" + terms,
                                            k -> new Line(tariff.billingUnit(), tier.price()))
                                    .add(take, take.multiply(tier.price()));
                        }
                        cost = cost.add(take.multiply(tier.price()));
                        filled = filled.add(take);
                        left = left.subtract(take);
                    }
                    lower = tier.upTo() == null ? lower : tier.upTo();
                }
                if (billed) {
                    hourPrice.put(hour, cost.divide(q, MathContext.DECIMAL64));
                    consumed = consumed.add(q);
                }
                continue;
            }
            if (!billed) {
                continue;
            }
            Priced p = unitPrice(tariff, v, local, hour);
            Line line = lines.computeIfAbsent(p.label() + terms, k -> new Line(tariff.billingUnit(), p.fixed()));
            line.add(q, q.multiply(p.price()));
            hourPrice.put(hour, p.price());
            consumed = consumed.add(q);
        }
        lines.putAll(circuitLines);
        if (credits) {
            exportCredits(customerId, tariff, zone, fromMs, toMs, counted, totals, hourPrice, lines);
        }
        standingCharges(tariff, zone, from, to, lines);

        int digits = fractionDigits(tariff.currency());
        List<LineItem> items = new ArrayList<>();
        BigDecimal total = BigDecimal.ZERO;
        for (Map.Entry<String, Line> e : lines.entrySet()) {
            LineItem item = e.getValue().item(e.getKey(), digits);
            items.add(item);
            total = total.add(item.amount());
        }
        Map<String, BigDecimal> byDevice = new TreeMap<>();
        Map<String, BigDecimal> byCategory = new TreeMap<>();
        List<Device> all = credits ? usage.all(customerId) : counted; // a recharge bill is one meter's
        Map<String, String> category = new HashMap<>();
        for (Device d : all) {
            category.put(d.ref(), d.category().name().toLowerCase(Locale.ROOT));
        }
        usage.hourly(all, commodity, Math.floorDiv(fromMs, HOUR) * HOUR, toMs).forEach((ref, hours) -> {
            BigDecimal cost = BigDecimal.ZERO;
            for (Map.Entry<Long, Double> h : hours.entrySet()) {
                BigDecimal price = hourPrice.get(h.getKey());
                if (price != null) {
                    cost = cost.add(BigDecimal.valueOf(h.getValue() / factor).multiply(price));
                }
            }
            byDevice.put(ref, cost.setScale(digits, RoundingMode.HALF_UP));
            byCategory.merge(category.getOrDefault(ref, "other"), cost, BigDecimal::add);
        });
        byCategory.replaceAll((k, v) -> v.setScale(digits, RoundingMode.HALF_UP));
        List<EstimatedPeriod> estimated = estimatedPeriods(
                usage.estimatedHours(counted, commodity, Math.floorDiv(fromMs, HOUR) * HOUR, toMs), factor);
        BigDecimal estimatedConsumption = estimated.stream()
                .map(EstimatedPeriod::estimated)
                .reduce(BigDecimal.ZERO, BigDecimal::add)
                .setScale(3, RoundingMode.HALF_UP);
        return new Bill(
                customerId,
                commodity.name().toLowerCase(Locale.ROOT),
                tariff.id(),
                tariff.currency(),
                from,
                to,
                items,
                total,
                consumed.setScale(3, RoundingMode.HALF_UP),
                tariff.billingUnit(),
                uncosted.setScale(3, RoundingMode.HALF_UP),
                byDevice,
                byCategory,
                estimatedConsumption,
                estimated);
    }

    /**
     * Credits for the electricity the customer exported, by the export terms of the version in force each hour
     * ({@link ExportTerms}): net billing credits each hour at its feed-in price; net metering offsets each billing
     * period's imports with its exports (and the credit carried in), at the period's average import price, and
     * carries what is left, counted from the start of the netting year (so a bill for one period knows the credit
     * the periods before it left).
     */
    private void exportCredits(
            long customerId,
            Tariff tariff,
            ZoneId zone,
            long fromMs,
            long toMs,
            List<Device> counted,
            NavigableMap<Long, Double> imports,
            Map<Long, BigDecimal> hourPrice,
            Map<String, Line> lines) {
        if (tariff.commodity() != Commodity.ELECTRICITY
                || tariff.versions().stream().allMatch(v -> v.export() == null)) {
            return;
        }
        double factor = tariff.unitsPerBillingUnit();
        long billedFrom = Math.floorDiv(fromMs, HOUR) * HOUR;
        long start = billedFrom;
        LocalDate fromDay = LocalDate.ofInstant(Instant.ofEpochMilli(fromMs), zone);
        Optional<TariffVersion> atFrom = tariff.versionOn(fromDay);
        if (atFrom.isPresent() && netMetering(atFrom.get())) {
            start = Math.min(
                    start,
                    nettingYearStart(tariff, atFrom.get(), fromDay)
                            .atStartOfDay(zone)
                            .toInstant()
                            .toEpochMilli());
        }
        NavigableMap<Long, Double> exported = usage.exported(customerId, start, toMs);
        NavigableMap<Long, Double> imported = new TreeMap<>(imports.tailMap(billedFrom, true));
        if (start < billedFrom) {
            usage.hourly(counted, Commodity.ELECTRICITY, start, billedFrom)
                    .values()
                    .forEach(hours -> hours.forEach((h, v) -> imported.merge(h, v, Double::sum)));
        }
        java.util.TreeSet<Long> hours = new java.util.TreeSet<>(imported.keySet());
        hours.addAll(exported.keySet());
        Netting netting = new Netting(lines, tariff.billingUnit(), fromMs, toMs, zone);
        for (long hour : hours) {
            ZonedDateTime local = Instant.ofEpochMilli(hour).atZone(zone);
            Optional<TariffVersion> version = tariff.versionOn(local.toLocalDate());
            if (version.isEmpty() || version.get().export() == null) {
                continue;
            }
            TariffVersion v = version.get();
            ExportTerms x = Objects.requireNonNull(v.export());
            String terms = " (terms of " + v.effectiveFrom() + ")";
            boolean billed = hour >= billedFrom;
            BigDecimal out = BigDecimal.valueOf(exported.getOrDefault(hour, 0.0) / factor);
            if (x.scheme() == ExportTerms.ExportScheme.NET_BILLING) {
                if (billed && out.signum() > 0) {
                    Priced p = exportPrice(tariff, x, local, hour);
                    lines.computeIfAbsent(
                                    "Energy exported, " + p.label() + terms,
                                    k -> new Line(tariff.billingUnit(), p.fixed()))
                            .add(out.negate(), out.multiply(p.price()).negate());
                }
                continue;
            }
            BigDecimal in = BigDecimal.valueOf(imported.getOrDefault(hour, 0.0) / factor);
            BigDecimal price = hourPrice.get(hour);
            netting.add(v, local.toLocalDate(), billed, in, out, price == null ? null : in.multiply(price), terms);
        }
        netting.close();
    }

    /**
     * Controlled-load circuits ({@link ControlledLoad}): the hours' energy of the customer's devices on the circuit
     * is priced apart, line by line, and taken out of the general hours where the general figure holds it (the
     * circuit is sub-metered behind the main meter, or there is no main meter and the appliances are the total).
     */
    private void controlledLoad(
            long customerId,
            Tariff tariff,
            ZoneId zone,
            List<Device> counted,
            NavigableMap<Long, Double> totals,
            long from,
            long to,
            Map<String, Line> lines) {
        java.util.Set<io.meterbase.core.model.Category> categories = new java.util.HashSet<>();
        for (TariffVersion v : tariff.versions()) {
            if (v.controlledLoad() != null) {
                categories.addAll(v.controlledLoad().categories());
            }
        }
        if (categories.isEmpty() || tariff.commodity() != Commodity.ELECTRICITY) {
            return;
        }
        List<Device> circuit = usage.all(customerId).stream()
                .filter(d -> categories.contains(d.category()))
                .toList();
        if (circuit.isEmpty()) {
            return;
        }
        Map<String, io.meterbase.core.model.Category> categoryOf = new HashMap<>();
        Map<String, Long> siteOf = new HashMap<>();
        circuit.forEach(d -> {
            categoryOf.put(d.ref(), d.category());
            siteOf.put(d.ref(), d.siteId());
        });
        // the sites whose totals are their main meters (elsewhere the appliances themselves are the total)
        java.util.Set<Long> metered = new java.util.HashSet<>();
        counted.stream()
                .filter(d -> d.category() == io.meterbase.core.model.Category.MAIN)
                .forEach(d -> metered.add(d.siteId()));
        double factor = tariff.unitsPerBillingUnit();
        usage.hourly(circuit, Commodity.ELECTRICITY, from, to)
                .forEach((ref, hours) -> hours.forEach((hour, wh) -> {
                    ZonedDateTime local = Instant.ofEpochMilli(hour).atZone(zone);
                    ControlledLoad cl = tariff.versionOn(local.toLocalDate())
                            .map(TariffVersion::controlledLoad)
                            .orElse(null);
                    if (cl == null || !cl.categories().contains(categoryOf.get(ref)) || wh <= 0) {
                        return;
                    }
                    BigDecimal q = BigDecimal.valueOf(wh / factor);
                    TariffVersion v = tariff.versionOn(local.toLocalDate()).orElseThrow();
                    lines.computeIfAbsent(
                                    "Controlled load (terms of " + v.effectiveFrom() + ")",
                                    k -> new Line(tariff.billingUnit(), cl.price()))
                            .add(q, q.multiply(cl.price()));
                    if (!metered.contains(siteOf.get(ref)) || !cl.separate()) {
                        // the general figure holds the circuit's energy: it is billed once, on the circuit's line
                        totals.computeIfPresent(hour, (h, general) -> Math.max(0, general - wh));
                    }
                }));
    }

    private static boolean netMetering(TariffVersion v) {
        return v.export() != null && v.export().scheme() == ExportTerms.ExportScheme.NET_METERING;
    }

    /**
     * The first day of the netting year that holds {@code day}: the start of the billing period after the last
     * true-up period (the one that starts in the true-up month), never before net metering began.
     */
    static LocalDate nettingYearStart(Tariff tariff, TariffVersion v, LocalDate day) {
        // net metering began with the first of the versions in a row that have it (a new price is no new count)
        LocalDate began = v.effectiveFrom();
        List<TariffVersion> versions = tariff.versions();
        for (int i = versions.indexOf(v) - 1; i >= 0 && netMetering(versions.get(i)); i--) {
            began = versions.get(i).effectiveFrom();
        }
        LocalDate period = v.billingPeriodStart(day);
        Integer month = Objects.requireNonNull(v.export()).trueUpMonth();
        if (month == null) {
            return began;
        }
        for (int i = 0; i < 12; i++) {
            LocalDate before = v.billingPeriodStart(period.minusDays(1));
            if (before.getMonthValue() == month) {
                break;
            }
            period = before;
        }
        return period.isBefore(began) ? began : period;
    }

    /**
     * Net metering, billing period by billing period: each part of a period (the part before the bill is counted
     * only for the credit it leaves) offsets its imports with its exports and the credit carried in; what is left is
     * carried on, and paid (or forfeited) at the end of the true-up period.
     */
    private static final class Netting {
        private final Map<String, Line> lines;
        private final String unit;
        private final long billStart;
        private final long billEnd;
        private final ZoneId zone;
        private BigDecimal credit = BigDecimal.ZERO;
        private @Nullable TariffVersion version;
        private @Nullable LocalDate period;
        private boolean billed;
        private String terms = "";
        private BigDecimal in = BigDecimal.ZERO;
        private BigDecimal out = BigDecimal.ZERO;
        private BigDecimal pricedIn = BigDecimal.ZERO;
        private BigDecimal charge = BigDecimal.ZERO;
        private boolean anyBilled;

        Netting(Map<String, Line> lines, String unit, long billStart, long billEnd, ZoneId zone) {
            this.lines = lines;
            this.unit = unit;
            this.billStart = billStart;
            this.billEnd = billEnd;
            this.zone = zone;
        }

        void add(
                TariffVersion v,
                LocalDate day,
                boolean billedHour,
                BigDecimal imported,
                BigDecimal exported,
                @Nullable BigDecimal cost,
                String versionTerms) {
            LocalDate start = v.billingPeriodStart(day);
            boolean newPeriod = period == null || !start.equals(period);
            if (newPeriod || billedHour != billed) {
                // the part before the bill and the billed part of one period are two parts, not two periods
                closePart(newPeriod ? Ending.PERIOD : Ending.PART);
                version = v;
                period = start;
                billed = billedHour;
                terms = versionTerms;
            }
            in = in.add(imported);
            out = out.add(exported);
            if (cost != null) {
                pricedIn = pricedIn.add(imported);
                charge = charge.add(cost);
            }
        }

        /** How a counted part of a period ends. */
        private enum Ending {
            /** The billed part of its period begins: the period goes on. */
            PART,
            /** The next period begins. */
            PERIOD,
            /** Nothing follows in the bill: the period ended if the bill reaches its end. */
            LAST
        }

        /** Ends the part of a period being counted. */
        private void closePart(Ending ending) {
            TariffVersion v = version;
            LocalDate p = period;
            if (v == null || p == null) {
                return;
            }
            ExportTerms x = Objects.requireNonNull(v.export());
            BigDecimal offset = in.min(out.add(credit));
            credit = out.add(credit).subtract(offset);
            if (billed && offset.signum() > 0 && pricedIn.signum() > 0) {
                BigDecimal average = charge.divide(pricedIn, MathContext.DECIMAL64);
                lines.computeIfAbsent(
                                "Energy exported, netted against energy imported" + terms, k -> new Line(unit, null))
                        .add(offset.negate(), offset.multiply(average).negate());
            }
            anyBilled |= billed;
            // the true-up period ends within what was counted: the credit left is paid (or forfeited)
            LocalDate next = v.billingPeriodStart(p.plusMonths(1).withDayOfMonth(Math.min(28, v.billingDay())));
            long periodEnd = next.atStartOfDay(zone).toInstant().toEpochMilli();
            boolean periodEnded = ending == Ending.PERIOD || (ending == Ending.LAST && periodEnd <= billEnd);
            if (x.trueUpMonth() != null && p.getMonthValue() == x.trueUpMonth() && periodEnded) {
                // paid in the bill that holds the end of the true-up period, whatever part of it had data
                if (periodEnd > billStart && periodEnd <= billEnd && credit.signum() > 0) {
                    BigDecimal price = Objects.requireNonNull(x.trueUpPrice());
                    lines.computeIfAbsent(
                                    "True-up: credit left at the end of the year" + terms, k -> new Line(unit, price))
                            .add(credit.negate(), credit.multiply(price).negate());
                }
                credit = BigDecimal.ZERO;
            }
            in = BigDecimal.ZERO;
            out = BigDecimal.ZERO;
            pricedIn = BigDecimal.ZERO;
            charge = BigDecimal.ZERO;
            version = null;
            period = null;
        }

        void close() {
            String t = terms;
            closePart(Ending.LAST);
            if (anyBilled && credit.signum() > 0) {
                lines.computeIfAbsent("Credit carried to the next period" + t, k -> new Line(unit, BigDecimal.ZERO))
                        .add(credit, BigDecimal.ZERO);
            }
        }
    }

    /** The feed-in price of an hour. */
    private Priced exportPrice(Tariff tariff, ExportTerms x, ZonedDateTime local, long at) {
        BigDecimal base = Objects.requireNonNull(x.price());
        return switch (Objects.requireNonNull(x.pricing())) {
            case TIME_OF_USE ->
                x.period(local.toLocalDate(), local.toLocalTime())
                        .map(p -> new Priced(p.name(), p.price(), p.price()))
                        .orElse(new Priced("other hours", base, base));
            case DYNAMIC ->
                book.postedPrice(tariff.id() + io.meterbase.core.api.tariff.TariffsApi.EXPORT, at)
                        .map(p -> new Priced("at posted prices", p, null))
                        .orElse(new Priced("hours without a posted price", base, base));
            default -> new Priced("feed-in", base, base);
        };
    }

    /** Estimated hours merged into consecutive periods, amounts in the billing unit. */
    private static List<EstimatedPeriod> estimatedPeriods(NavigableMap<Long, EnergyPoint> hours, double factor) {
        List<EstimatedPeriod> out = new ArrayList<>();
        long start = 0;
        long end = Long.MIN_VALUE;
        double amount = 0;
        long unknown = 0;
        for (EnergyPoint p : hours.values()) {
            if (p.periodStart() != end) {
                if (end != Long.MIN_VALUE) {
                    out.add(period(start, end, amount / factor, unknown));
                }
                start = p.periodStart();
                amount = 0;
                unknown = 0;
            }
            amount += p.estimated();
            unknown += p.gapMillis();
            end = p.periodStart() + HOUR;
        }
        if (end != Long.MIN_VALUE) {
            out.add(period(start, end, amount / factor, unknown));
        }
        return out;
    }

    private static EstimatedPeriod period(long from, long to, double estimated, long unknownMillis) {
        return new EstimatedPeriod(
                Instant.ofEpochMilli(from),
                Instant.ofEpochMilli(to),
                BigDecimal.valueOf(estimated).setScale(3, RoundingMode.HALF_UP),
                unknownMillis / 60_000);
    }

    private Tariff requireTariff(long customerId, Commodity commodity) {
        return tariffOf(customerId, commodity)
                .orElseThrow(
                        () -> new NoTariffException("no " + commodity.name().toLowerCase(Locale.ROOT)
                                + " tariff for group " + groups.of(customerId) + " or the default group"));
    }

    /** A unit price and how the bill names it; {@code fixed} is null when the line has no single price. */
    private record Priced(
            String label, BigDecimal price, @Nullable BigDecimal fixed) {}

    private Priced unitPrice(Tariff tariff, TariffVersion v, ZonedDateTime local, long at) {
        return switch (v.pricing()) {
            case FLAT -> new Priced("Energy", v.unitPrice(), v.unitPrice());
            case TIME_OF_USE ->
                v.period(local.toLocalDate(), local.toLocalTime())
                        .map(p -> new Priced("Energy, " + p.name(), p.price(), p.price()))
                        .orElse(new Priced("Energy, other hours", v.unitPrice(), v.unitPrice()));
            case DYNAMIC -> {
                Optional<BigDecimal> posted = book.postedPrice(tariff.id(), at);
                yield posted.map(p -> new Priced("Energy at posted prices", p, null))
                        .orElse(new Priced("Energy, hours without a posted price", v.unitPrice(), v.unitPrice()));
            }
            case TIERED -> throw new IllegalStateException("tiered prices depend on the amount consumed");
        };
    }

    /** Standing charges, prorated for partial days (local days; 23- and 25-hour days count as one day). */
    private static void standingCharges(Tariff tariff, ZoneId zone, Instant from, Instant to, Map<String, Line> lines) {
        LocalDate day = LocalDate.ofInstant(from, zone);
        while (day.atStartOfDay(zone).toInstant().isBefore(to)) {
            Instant start = day.atStartOfDay(zone).toInstant();
            Instant end = day.plusDays(1).atStartOfDay(zone).toInstant();
            long overlap = Math.min(end.toEpochMilli(), to.toEpochMilli())
                    - Math.max(start.toEpochMilli(), from.toEpochMilli());
            Optional<TariffVersion> v = tariff.versionOn(day);
            if (overlap > 0 && v.isPresent() && v.get().standingChargePerDay().signum() > 0) {
                BigDecimal days = BigDecimal.valueOf(overlap)
                        .divide(BigDecimal.valueOf(end.toEpochMilli() - start.toEpochMilli()), MathContext.DECIMAL64);
                BigDecimal charge = v.get().standingChargePerDay();
                lines.computeIfAbsent(
                                "Standing charge (terms of " + v.get().effectiveFrom() + ")",
                                k -> new Line("day", charge))
                        .add(days, days.multiply(charge));
            }
            day = day.plusDays(1);
        }
    }

    private static int fractionDigits(String currency) {
        try {
            return Math.max(0, Currency.getInstance(currency).getDefaultFractionDigits());
        } catch (IllegalArgumentException e) {
            return 2;
        }
    }

    /** A line being summed: exact quantity and amount. */
    private static final class Line {
        private final String unit;
        private final @Nullable BigDecimal fixedPrice;
        private BigDecimal quantity = BigDecimal.ZERO;
        private BigDecimal amount = BigDecimal.ZERO;

        Line(String unit, @Nullable BigDecimal fixedPrice) {
            this.unit = unit;
            this.fixedPrice = fixedPrice;
        }

        void add(BigDecimal q, BigDecimal a) {
            quantity = quantity.add(q);
            amount = amount.add(a);
        }

        LineItem item(String description, int digits) {
            BigDecimal price = fixedPrice != null
                    ? fixedPrice
                    : quantity.signum() == 0
                            ? BigDecimal.ZERO
                            : amount.divide(quantity, 5, RoundingMode.HALF_UP).stripTrailingZeros();
            return new LineItem(
                    description,
                    quantity.setScale(unit.equals("day") ? 4 : 3, RoundingMode.HALF_UP),
                    unit,
                    price,
                    amount.setScale(digits, RoundingMode.HALF_UP));
        }
    }
}
