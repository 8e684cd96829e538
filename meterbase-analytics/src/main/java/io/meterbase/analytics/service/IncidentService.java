package io.meterbase.analytics.service;

import io.meterbase.analytics.forecast.FleetForecaster;
import io.meterbase.analytics.incident.AnomalyDetector;
import io.meterbase.analytics.incident.LeakDetector;
import io.meterbase.core.api.alarm.Severity;
import io.meterbase.core.energy.CounterStep;
import io.meterbase.core.energy.EnergyRules;
import io.meterbase.core.model.Accumulation;
import io.meterbase.core.model.Channel;
import io.meterbase.core.model.Reading;
import io.meterbase.core.query.Commodity;
import io.meterbase.core.store.DocumentStore;
import io.meterbase.core.store.ReadingStore;
import io.meterbase.services.alarm.AlarmService;
import io.meterbase.services.json.ControlJson;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Incident detection over the stored hourly consumption, run with the forecasts:
 *
 * <ul>
 *   <li>water meters: a small leak (flow every night hour for several nights) or a pipe burst (a large flow that does
 *       not stop), by {@link LeakDetector};
 *   <li>electricity meters, against what the fleet models expected for the last 72 hours (three day-ahead
 *       forecasts): <b>zero use</b> (under 2 % of what was expected, on a meter that used something on nearly every
 *       day of the four weeks before) and a <b>consumption drop</b> (under half of what was expected and below the
 *       interval); and <b>vacancy</b> (a week under 30 % of the meter's usual use, with no daily rhythm left);
 *   <li>any cumulative register (electricity, water, gas, heat, cooling): a reading <b>lower than the one
 *       before</b> that is neither a rollover nor a reset to zero.
 * </ul>
 *
 * Each incident is raised once while it lasts (seen again, it is updated), reaches the customer and the operators
 * as an alarm of the same type (feed, webhooks, MQTT, gateway answer), and is closed, with its alarm cleared, when
 * a later run no longer finds it. A register going backwards stays open for a week after its last occurrence.
 */
public final class IncidentService {

    private static final Logger LOG = LoggerFactory.getLogger(IncidentService.class);
    public static final String KIND = "incident";
    static final Duration BACKWARDS_KEPT_OPEN = Duration.ofDays(7);
    private static final int WINDOW = 72;
    private static final int VACANCY_HOURS = 168;
    private static final int WATER_DAYS = 15;
    /** Hours examined for anomalies at each run (an anomaly stays open while it is among them). */
    private static final int ANOMALY_HOURS = 48;

    private final HourlyHistory history;
    private final ReadingStore readings;
    private final DocumentStore documents;
    private final AlarmService alarms;
    private final Clock clock;
    private final LeakDetector leaks;
    private final EnergyRules rules = new EnergyRules(Long.MAX_VALUE);
    private final Map<String, Incident> incidents = new ConcurrentHashMap<>();
    private volatile long registersScannedTo = -1;
    /** Channels with readings that arrived after the register checks had passed their time: the earliest of them. */
    private final Map<Integer, Long> lateFrom = new ConcurrentHashMap<>();

    public IncidentService(
            HourlyHistory history,
            ReadingStore readings,
            DocumentStore documents,
            AlarmService alarms,
            Clock clock,
            LeakDetector.Settings leakSettings) {
        this.history = history;
        this.readings = readings;
        this.documents = documents;
        this.alarms = alarms;
        this.clock = clock;
        this.leaks = new LeakDetector(leakSettings);
        incidents.putAll(stored());
    }

    private Map<String, Incident> stored() {
        Map<String, Incident> out = new HashMap<>();
        for (Map.Entry<String, String> e : documents.documents(KIND).entrySet()) {
            try {
                Incident i = ControlJson.read(e.getValue(), Incident.class);
                out.put(i.id(), i);
            } catch (IllegalArgumentException ex) {
                LOG.warn("Stored incident {} is unreadable and is skipped: {}", e.getKey(), ex.getMessage());
            }
        }
        return out;
    }

    /**
     * Reads the incidents again from the store, where another process (the Spark incident scan) may have raised,
     * updated or closed some: the alarms of those raised or closed since the last look are raised or cleared as if
     * this server had found them. Returns what changed.
     */
    public synchronized Merge reload() {
        Map<String, Incident> now = stored();
        Map<String, Incident> changed = new LinkedHashMap<>();
        List<Incident> raised = new ArrayList<>();
        List<Incident> closed = new ArrayList<>();
        for (Incident i : now.values()) {
            Incident was = incidents.get(i.id());
            if (!i.equals(was)) {
                changed.put(i.id(), i);
            }
            if (i.open() && (was == null || !was.open())) {
                raised.add(i);
            } else if (!i.open() && was != null && was.open()) {
                closed.add(was);
            }
        }
        incidents.keySet().retainAll(now.keySet());
        incidents.putAll(now);
        alarmsOf(raised, closed, clock.instant());
        return new Merge(changed, raised, closed);
    }

    private void alarmsOf(List<Incident> raised, List<Incident> closed, Instant now) {
        for (Incident i : raised) {
            alarms.event(
                    i.customer(),
                    i.device(),
                    i.type(),
                    Severity.valueOf(i.severity().toUpperCase(Locale.ROOT)),
                    true,
                    now,
                    i.summary());
        }
        for (Incident i : closed) {
            alarms.event(i.customer(), i.device(), i.type(), false, now, null);
        }
    }

    /** Incidents as the documents they are stored as, by id. */
    public static Map<String, String> json(Map<String, Incident> incidents) {
        Map<String, String> out = new LinkedHashMap<>();
        incidents.forEach((id, i) -> out.put(id, ControlJson.write(i)));
        return out;
    }

    /** What a run found: the incidents open after it, by type. */
    public record Run(Map<String, Integer> open, int raised, int closed, long millis) {}

    /**
     * A condition found in one run on one meter, before it becomes an incident (or updates one): what {@link
     * #meterFindings} gives and {@link #merge} takes.
     */
    public record Finding(
            String type,
            long customer,
            String device,
            double confidence,
            Severity severity,
            String summary,
            Incident.Evidence evidence) {

        String key() {
            return customer + "/" + device + "/" + type;
        }
    }

    /**
     * What a run changes in the incidents: every incident raised, updated or closed (by id), and among them the
     * ones raised and the ones closed, whose alarms are to be raised or cleared.
     */
    public record Merge(Map<String, Incident> changed, List<Incident> raised, List<Incident> closed) {}

    /** The incident types of the anomaly and leak scan of water, gas, heat and cooling meters. */
    public static final Set<String> SCAN_TYPES = scanTypes();

    private static Set<String> scanTypes() {
        Set<String> types = new java.util.TreeSet<>(Set.of("small_leak", "pipe_burst"));
        for (AnomalyDetector.Kind k : AnomalyDetector.Kind.values()) {
            types.add(anomalyType(k));
        }
        return java.util.Collections.unmodifiableSet(types);
    }

    /**
     * The findings of a run applied to the incidents as they are ({@code current}): a finding with an open incident
     * of its meter and type updates it, else raises a new one; an open incident that {@code checked} says this run
     * looked for and that was not found again is closed (a register going backwards only a week after it was last
     * seen). The server and the Spark jobs merge with this one rule.
     */
    public static Merge merge(
            java.util.Collection<Incident> current, List<Finding> found, Predicate<Incident> checked, Instant now) {
        Map<String, Incident> openByKey = new HashMap<>();
        for (Incident i : current) {
            if (i.open()) {
                openByKey.put(i.customer() + "/" + i.device() + "/" + i.type(), i);
            }
        }
        Map<String, Incident> changed = new LinkedHashMap<>();
        List<Incident> raised = new ArrayList<>();
        List<Incident> closed = new ArrayList<>();
        Set<String> stillThere = new HashSet<>();
        for (Finding f : found) {
            stillThere.add(f.key());
            Incident was = openByKey.get(f.key());
            Incident next;
            if (was == null) {
                next = new Incident(
                        UUID.randomUUID().toString(),
                        f.type(),
                        f.customer(),
                        f.device(),
                        round(f.confidence()),
                        f.severity().name().toLowerCase(Locale.ROOT),
                        Incident.OPEN,
                        now,
                        now,
                        null,
                        f.summary(),
                        f.evidence());
                raised.add(next);
            } else {
                next = was.seenAgain(now, round(f.confidence()), f.summary(), f.evidence());
            }
            openByKey.put(f.key(), next);
            changed.put(next.id(), next);
        }
        for (Map.Entry<String, Incident> e : openByKey.entrySet()) {
            Incident i = e.getValue();
            boolean gone = checked.test(i)
                    && (i.type().equals("register_backwards")
                            ? Duration.between(i.lastSeenAt(), now).compareTo(BACKWARDS_KEPT_OPEN) > 0
                            : !stillThere.contains(e.getKey()));
            if (gone) {
                Incident c = i.closed(now);
                changed.put(c.id(), c);
                closed.add(i);
            }
        }
        return new Merge(changed, raised, closed);
    }

    /**
     * Hours of electricity history a run needs (up to the last complete hour): the forecasts of the last 72 hours
     * and their intervals, or five weeks for vacancy.
     */
    public static final int HOURS =
            Math.max(FleetForecaster.NEEDED + WINDOW + ForecastService.BACKTEST_DAYS * 24, VACANCY_HOURS + 28 * 24);

    /**
     * The anomaly detector of a commodity other than electricity (whose meters are judged against their forecasts):
     * the thresholds chosen on real water meters, their floors scaled to the commodity's unit (1 L of water's floor
     * is 0.1 m³ of gas, 1 kWh of heat).
     */
    static AnomalyDetector anomalyDetector(Commodity commodity) {
        AnomalyDetector.Settings water = AnomalyDetector.Settings.water();
        return new AnomalyDetector(
                switch (commodity) {
                    case GAS -> water.scaled(0.1);
                    case HEAT, COOLING -> water.scaled(1000);
                    default -> water;
                });
    }

    /** The incident type of an anomaly. */
    static String anomalyType(AnomalyDetector.Kind kind) {
        return switch (kind) {
            case SPIKE -> "consumption_spike";
            case STUCK -> "stuck_value";
            case NEGATIVE -> "negative_consumption";
            case CONSTANT_FLOW -> "constant_flow";
            case UNUSUAL_DAY -> "unusual_day";
        };
    }

    /**
     * Looks at every meter once ({@code electricitySeries}: at least {@link #HOURS} of each electricity meter;
     * {@code others}: gas, heat and cooling meters by commodity, checked for anomalies and for registers going
     * backwards, as water meters are); {@code model} is absent until the forecasts have been trained.
     */
    public synchronized Run run(
            List<HourlyHistory.Meter> electricity,
            List<HourlyHistory.Hourly> electricitySeries,
            List<HourlyHistory.Meter> water,
            Map<Commodity, List<HourlyHistory.Meter>> others,
            Optional<FleetForecaster> model) {
        long started = System.nanoTime();
        Instant now = clock.instant();
        long end = Math.floorDiv(now.toEpochMilli(), HourlyHistory.HOUR) * HourlyHistory.HOUR;
        List<Finding> found = new ArrayList<>();
        Set<String> checkedTypes = new HashSet<>(Set.of("small_leak", "pipe_burst", "vacancy"));
        if (!electricity.isEmpty()) {
            for (HourlyHistory.Hourly s : electricitySeries) {
                model.ifPresent(m -> againstForecast(m, s, found));
                vacancy(s, found);
            }
            if (model.isPresent()) {
                checkedTypes.add("zero_use");
                checkedTypes.add("consumption_drop");
            }
        }
        Map<Commodity, List<HourlyHistory.Meter>> scanned = new LinkedHashMap<>();
        scanned.put(Commodity.WATER, water);
        scanned.putAll(others);
        scanned.forEach((commodity, meters) -> {
            if (!meters.isEmpty()) {
                // one read of each meter's last weeks for its leaks and anomalies
                for (HourlyHistory.Hourly s : history.series(meters, end - SCAN_HOURS * HourlyHistory.HOUR, end)) {
                    found.addAll(meterFindings(commodity, s, leaks));
                }
            }
        });
        checkedTypes.addAll(SCAN_TYPES);
        List<List<HourlyHistory.Meter>> registerMeters = new ArrayList<>(List.of(electricity, water));
        registerMeters.addAll(others.values());
        registers(registerMeters, end, found);

        Merge merge = merge(
                incidents.values(),
                found,
                i -> checkedTypes.contains(i.type()) || i.type().equals("register_backwards"),
                now);
        documents.saveDocuments(KIND, json(merge.changed()));
        incidents.putAll(merge.changed());
        alarmsOf(merge.raised(), merge.closed(), now);
        int raised = merge.raised().size();
        int closed = merge.closed().size();
        Map<String, Integer> open = new java.util.TreeMap<>();
        for (Incident i : incidents.values()) {
            if (i.open()) {
                open.merge(i.type(), 1, Integer::sum);
            }
        }
        return new Run(open, raised, closed, (System.nanoTime() - started) / 1_000_000);
    }

    /** Zero use and sustained drops: the last 72 hours against three day-ahead forecasts made before them. */
    private static void againstForecast(FleetForecaster m, HourlyHistory.Hourly s, List<Finding> found) {
        double[] y = s.values();
        int n = y.length;
        double expected = 0;
        double lowest = 0;
        double actual = 0;
        int known = 0;
        boolean intervals = true;
        double[] expectedHourly = new double[WINDOW];
        // recursive: each day's forecast is written in place of that day, so that the next day is forecast from
        // what was expected, not from the drop itself (the models would follow a drop within a day)
        double[] assumed = y.clone();
        FleetForecaster.Series series = new FleetForecaster.Series(assumed, s.firstLocal());
        // the interval: the meter's errors over the 14 days before the window, for all three days
        double[] quantiles = m.errorQuantiles(series, n - WINDOW - 1, ForecastService.BACKTEST_DAYS, 0.8);
        for (int d = 0; d < WINDOW / 24; d++) {
            int origin = n - WINDOW - 1 + 24 * d;
            FleetForecaster.Forecast f = m.forecast(series, origin);
            if (f == null) {
                return;
            }
            if (quantiles != null) {
                f = FleetForecaster.withInterval(f, quantiles);
            }
            for (int h = 0; h < 24; h++) {
                double v = y[origin + 1 + h];
                expectedHourly[24 * d + h] = f.value()[h];
                assumed[origin + 1 + h] = f.value()[h];
                if (Double.isNaN(v)) {
                    continue;
                }
                known++;
                actual += v;
                expected += f.value()[h];
                if (f.low() == null) {
                    intervals = false;
                } else {
                    lowest += f.low()[h];
                }
            }
        }
        double regularity = regularity(y, n - WINDOW);
        // at least 60 known hours, and a meter that was expected to use something (2.4 kWh or more in 72 h)
        if (known < 60 || expected < 2_400 || regularity < 0.85) {
            return;
        }
        double ratio = actual / expected;
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("expected", round(expected));
        figures.put("actual", round(actual));
        figures.put("ratio", round(ratio));
        figures.put("days_with_use_before", round(regularity));
        Incident.Evidence evidence = evidence(s, n - WINDOW, n, "Wh", figures);
        evidence.figures().put("expected_hourly", rounded(expectedHourly));
        if (ratio < 0.02) {
            found.add(new Finding(
                    "zero_use",
                    s.customerId(),
                    s.meterRef(),
                    regularity * (1 - ratio / 0.02 * 0.5),
                    Severity.WARNING,
                    String.format(
                            Locale.ROOT,
                            "%s used %.0f Wh in 72 h where %.0f Wh were expected; it used electricity on %.0f %% of"
                                    + " the days before",
                            s.deviceRef(),
                            actual,
                            expected,
                            100 * regularity),
                    evidence));
        } else if (ratio < 0.5 && intervals && actual < lowest && !lowAndFlat(y, n - WINDOW, n)) {
            found.add(new Finding(
                    "consumption_drop",
                    s.customerId(),
                    s.meterRef(),
                    regularity * Math.min(1, (0.5 - ratio) / 0.4 + 0.5),
                    Severity.WARNING,
                    String.format(
                            Locale.ROOT,
                            "%s used %.0f Wh in 72 h, %.0f %% of the %.0f Wh forecast and below its interval",
                            s.deviceRef(),
                            actual,
                            100 * ratio,
                            expected),
                    evidence));
        }
    }

    /** The share of the 28 days before {@code end} on which the meter used at least a fifth of its daily mean. */
    private static double regularity(double[] y, int end) {
        double[] daily = new double[28];
        double total = 0;
        for (int d = 0; d < 28; d++) {
            for (int h = 0; h < 24; h++) {
                int i = end - (28 - d) * 24 + h;
                if (i >= 0 && !Double.isNaN(y[i])) {
                    daily[d] += y[i];
                }
            }
            total += daily[d];
        }
        double mean = total / 28;
        if (mean <= 0) {
            return 0;
        }
        int used = 0;
        for (double v : daily) {
            used += v >= 0.2 * mean ? 1 : 0;
        }
        return used / 28.0;
    }

    /** Vacancy: the last week under 30 % of the four weeks before, some use left, and no daily rhythm. */
    private static void vacancy(HourlyHistory.Hourly s, List<Finding> found) {
        double[] y = s.values();
        int n = y.length;
        if (n < VACANCY_HOURS + 28 * 24) {
            return;
        }
        double before = mean(y, n - VACANCY_HOURS - 28 * 24, n - VACANCY_HOURS);
        double week = mean(y, n - VACANCY_HOURS, n);
        if (!(before > 0) || Double.isNaN(week) || week <= 0) {
            return;
        }
        double ratio = week / before;
        if (ratio >= 0.3 || !lowAndFlat(y, n - VACANCY_HOURS, n)) {
            return;
        }
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("mean_per_hour_before", round(before));
        figures.put("mean_per_hour_last_week", round(week));
        figures.put("ratio", round(ratio));
        found.add(new Finding(
                "vacancy",
                s.customerId(),
                s.meterRef(),
                Math.min(1, 0.6 + (0.3 - ratio)),
                Severity.INFO,
                String.format(
                        Locale.ROOT,
                        "%s looks vacant: a week at %.0f %% of its usual use, the same at every hour of the day",
                        s.deviceRef(),
                        100 * ratio),
                evidence(s, n - VACANCY_HOURS, n, "Wh", figures)));
    }

    /**
     * No daily rhythm in {@code [from, to)}: the highest hour-of-day mean is under twice the lowest plus a little
     * (a fridge and standby, nobody cooking in the evening).
     */
    private static boolean lowAndFlat(double[] y, int from, int to) {
        double[] sum = new double[24];
        int[] count = new int[24];
        for (int i = from; i < to; i++) {
            if (!Double.isNaN(y[i])) {
                sum[(i - from) % 24] += y[i];
                count[(i - from) % 24]++;
            }
        }
        double max = 0;
        double min = Double.MAX_VALUE;
        for (int h = 0; h < 24; h++) {
            if (count[h] == 0) {
                return false;
            }
            double m = sum[h] / count[h];
            max = Math.max(max, m);
            min = Math.min(min, m);
        }
        return max <= 2 * min + 20;
    }

    /** Leaks still going on, from local midnight 14 days back. */
    private static void leaks(HourlyHistory.Hourly s, LeakDetector leaks, List<Finding> found) {
        LocalDateTime first = s.firstLocal();
        int skip = first.toLocalTime().equals(LocalTime.MIDNIGHT) ? 0 : 24 - first.getHour();
        double[] flow = Arrays.copyOfRange(s.values(), Math.min(skip, s.values().length), s.values().length);
        LocalDateTime midnight = first.plusHours(skip);
        for (LeakDetector.Incident i : leaks.ongoing(flow, midnight)) {
            boolean burst = i.kind() == LeakDetector.Kind.PIPE_BURST;
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("started", s.hour(skip + i.startHour()).toString());
            int from = Math.max(0, skip + i.startHour() - (burst ? 3 : 2));
            found.add(new Finding(
                    burst ? "pipe_burst" : "small_leak",
                    s.customerId(),
                    s.meterRef(),
                    i.confidence(),
                    burst ? Severity.CRITICAL : Severity.ALARM,
                    s.deviceRef() + ": " + i.evidence(),
                    evidence(s, from, s.values().length, "L", figures)));
        }
    }

    /** Hours of a meter's history its leak and anomaly scan reads (up to the last complete hour). */
    public static final int SCAN_HOURS =
            Math.max(WATER_DAYS * 24, AnomalyDetector.Settings.water().referenceDays() * 24 + ANOMALY_HOURS + 24);

    /**
     * The leaks (of a water meter) and anomalies of one meter, from its hourly series ending at the last complete
     * hour: the last {@link #SCAN_HOURS} of it are read (a longer series is cut, so that any caller finds what the
     * server finds). The server's incident run and the Spark incident scan call this for every meter.
     */
    public static List<Finding> meterFindings(Commodity commodity, HourlyHistory.Hourly series, LeakDetector leaks) {
        HourlyHistory.Hourly s = last(series, SCAN_HOURS);
        List<Finding> found = new ArrayList<>();
        if (commodity == Commodity.WATER) {
            leaks(last(s, WATER_DAYS * 24), leaks, found);
        }
        anomalies(commodity, s, !found.isEmpty(), found);
        return found;
    }

    /** The last {@code hours} of a series (all of it when shorter). */
    private static HourlyHistory.Hourly last(HourlyHistory.Hourly s, int hours) {
        int n = s.values().length;
        if (n <= hours) {
            return s;
        }
        return new HourlyHistory.Hourly(
                s.key(),
                s.customerId(),
                s.deviceRef(),
                s.community(),
                s.zone(),
                s.start() + (n - hours) * HourlyHistory.HOUR,
                Arrays.copyOfRange(s.values(), n - hours, n));
    }

    /**
     * Anomalies of the last {@link #ANOMALY_HOURS} of a meter against its own reference days before them, at most
     * one finding per kind (the most confident). A meter with a leak found ({@code leak}) is not told again that
     * its flow is high or never stops.
     */
    private static void anomalies(Commodity commodity, HourlyHistory.Hourly s, boolean leak, List<Finding> found) {
        AnomalyDetector detector = anomalyDetector(commodity);
        String unit = commodity.unit().symbol();
        LocalDateTime first = s.firstLocal();
        int skip = first.toLocalTime().equals(LocalTime.MIDNIGHT) ? 0 : 24 - first.getHour();
        double[] y = Arrays.copyOfRange(s.values(), Math.min(skip, s.values().length), s.values().length);
        Map<AnomalyDetector.Kind, AnomalyDetector.Anomaly> strongest = new LinkedHashMap<>();
        for (AnomalyDetector.Anomaly a : detector.detect(y, Math.max(0, y.length - ANOMALY_HOURS))) {
            if (leak && a.kind() != AnomalyDetector.Kind.STUCK && a.kind() != AnomalyDetector.Kind.NEGATIVE) {
                continue;
            }
            strongest.merge(a.kind(), a, (x, z) -> z.confidence() > x.confidence() ? z : x);
        }
        if (strongest.containsKey(AnomalyDetector.Kind.CONSTANT_FLOW)) {
            strongest.remove(AnomalyDetector.Kind.UNUSUAL_DAY); // the flow that never stops made the day
        }
        for (AnomalyDetector.Anomaly a : strongest.values()) {
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("commodity", commodity.name().toLowerCase(Locale.ROOT));
            figures.put("started", s.hour(skip + a.startHour()).toString());
            figures.put("observed", round(a.observed()));
            figures.put("expected_at_most", round(a.expected()));
            boolean gasFlow = commodity == Commodity.GAS && a.kind() == AnomalyDetector.Kind.CONSTANT_FLOW;
            found.add(new Finding(
                    anomalyType(a.kind()),
                    s.customerId(),
                    s.meterRef(),
                    a.confidence(),
                    severity(a.kind(), gasFlow),
                    s.deviceRef() + ": " + a.evidence(),
                    evidence(
                            s,
                            skip + Math.max(0, a.startHour() - 2),
                            skip + Math.min(y.length, a.endHour() + 2),
                            unit,
                            figures)));
        }
    }

    /**
     * How loud an anomaly is: gas that never stops is critical, water or heat that never stops an alarm; an unusual
     * day is information (on held-out water meters four in ten of them were ordinary days, docs/analytics.md).
     */
    private static Severity severity(AnomalyDetector.Kind kind, boolean gasFlow) {
        return switch (kind) {
            case CONSTANT_FLOW -> gasFlow ? Severity.CRITICAL : Severity.ALARM;
            case UNUSUAL_DAY -> Severity.INFO;
            case SPIKE, STUCK, NEGATIVE -> Severity.WARNING;
        };
    }

    /**
     * Called with each durable batch (on the writer's thread, so it only compares times): a reading older than the
     * point the register checks have reached is remembered, so that the next run checks its channel from there.
     * A cache: after a restart, late readings of the time before are not checked again.
     */
    public void noteDurable(List<Reading> batch) {
        long scanned = registersScannedTo;
        if (scanned < 0) {
            return;
        }
        for (Reading r : batch) {
            if (r.timestamp() < scanned) {
                lateFrom.merge(r.channelId(), r.timestamp(), Math::min);
            }
        }
    }

    /**
     * Cumulative registers that went backwards since the last run (the first run looks one day back), and from the
     * earliest reading that arrived late on a channel since: a lower reading that is neither a rollover nor a reset.
     */
    private void registers(List<List<HourlyHistory.Meter>> meterLists, long end, List<Finding> found) {
        long from = registersScannedTo < 0 ? end - 24 * HourlyHistory.HOUR : registersScannedTo;
        Map<Integer, Long> late = new HashMap<>();
        for (Integer channel : List.copyOf(lateFrom.keySet())) {
            Long at = lateFrom.remove(channel);
            if (at != null) {
                late.put(channel, at);
            }
        }
        Map<Integer, Long> newest = readings.newestTimestamps();
        for (List<HourlyHistory.Meter> meters : meterLists) {
            for (HourlyHistory.Meter m : meters) {
                for (Channel c : m.channels()) {
                    if (c.accumulation() != Accumulation.CUMULATIVE) {
                        continue;
                    }
                    Long last = newest.get(c.id());
                    long start = Math.min(from, late.getOrDefault(c.id(), from));
                    if (last != null && last >= start) {
                        backwards(m, c, start, end, found);
                    }
                }
            }
        }
        registersScannedTo = end;
    }

    private void backwards(HourlyHistory.Meter m, Channel c, long from, long end, List<Finding> found) {
        Reading previous = readings.readingBefore(c.id(), from).orElse(null);
        List<Reading> window = readings.readings(c.id(), from, end, 100_000);
        int count = 0;
        Reading firstBefore = null;
        Reading firstAfter = null;
        double largest = 0;
        for (Reading r : window) {
            if (previous != null && r.value() < previous.value()) {
                CounterStep step =
                        rules.counterStep(c, previous.timestamp(), previous.value(), r.timestamp(), r.value());
                if (step.wentBack()) {
                    count++;
                    largest = Math.max(largest, previous.value() - r.value());
                    if (firstBefore == null) {
                        firstBefore = previous;
                        firstAfter = r;
                    }
                }
            }
            previous = r;
        }
        if (count == 0 || firstBefore == null || firstAfter == null) {
            return;
        }
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("channel", c.name());
        figures.put("times", count);
        figures.put("largest_step_back", round(largest));
        figures.put("reading_before", round(firstBefore.value()));
        figures.put(
                "reading_before_at",
                Instant.ofEpochMilli(firstBefore.timestamp()).toString());
        figures.put("reading_after", round(firstAfter.value()));
        figures.put(
                "reading_after_at", Instant.ofEpochMilli(firstAfter.timestamp()).toString());
        found.add(new Finding(
                "register_backwards",
                m.device().customerId(),
                m.device().ref(),
                Math.min(1, 0.7 + 0.1 * count),
                Severity.ALARM,
                String.format(
                        Locale.ROOT,
                        "%s: register %s went backwards %d time(s), by up to %.1f %s",
                        m.device().ref(),
                        c.name(),
                        count,
                        largest,
                        c.unit().symbol()),
                new Incident.Evidence(
                        Instant.ofEpochMilli(firstBefore.timestamp()),
                        Instant.ofEpochMilli(firstAfter.timestamp()),
                        c.unit().symbol(),
                        List.of(),
                        figures)));
    }

    private static Incident.Evidence evidence(
            HourlyHistory.Hourly s, int from, int to, String unit, Map<String, Object> figures) {
        List<Double> hourly = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            hourly.add(Double.isNaN(s.values()[i]) ? null : round(s.values()[i]));
        }
        return new Incident.Evidence(s.hour(from), s.hour(to), unit, hourly, figures);
    }

    private static double mean(double[] y, int from, int to) {
        double sum = 0;
        int known = 0;
        for (int i = Math.max(0, from); i < to; i++) {
            if (!Double.isNaN(y[i])) {
                sum += y[i];
                known++;
            }
        }
        return known < (to - from) / 2 ? Double.NaN : sum / known;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private static List<Double> rounded(double[] v) {
        List<Double> out = new ArrayList<>(v.length);
        for (double x : v) {
            out.add(round(x));
        }
        return out;
    }

    /** Incidents, newest first: of one customer (or all for null), open only or all. */
    public List<Incident> incidents(@Nullable Long customer, boolean openOnly, int limit) {
        return incidents.values().stream()
                .filter(i -> customer == null || i.customer() == customer)
                .filter(i -> !openOnly || i.open())
                .sorted(Comparator.comparing(Incident::lastSeenAt).reversed())
                .limit(limit)
                .toList();
    }

    public Optional<Incident> incident(String id) {
        return Optional.ofNullable(incidents.get(id));
    }
}
