package io.meterbase.analytics.service;

import io.meterbase.analytics.forecast.FleetForecaster;
import io.meterbase.analytics.forecast.HeatingForecaster;
import io.meterbase.core.query.Commodity;
import io.meterbase.core.store.DocumentStore;
import io.meterbase.services.json.ControlJson;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Electricity forecasts for every meter and every community's total, next hour and next 24 hours, with 80 %
 * intervals: {@link FleetForecaster} models trained on a sample of meters (again when older than
 * {@code retrainEvery}), then every meter forecast with dot products. Forecasts are kept as documents (kind
 * {@code forecast}), so they are served at once after a restart.
 */
public final class ForecastService {

    private static final Logger LOG = LoggerFactory.getLogger(ForecastService.class);
    public static final String KIND = "forecast";
    /** Days of origins the models are trained on. */
    static final int TRAIN_DAYS = 28;
    /** Days of past forecasts a meter's interval is judged by. */
    static final int BACKTEST_DAYS = 14;

    static final double COVERAGE = 0.8;
    /**
     * Forecasts are stored in this many documents (by the hash of their key), each a list: one document per meter
     * made storing 10,000 forecasts take half a minute of single-row upserts.
     */
    static final int SHARDS = 64;

    private static final com.fasterxml.jackson.core.type.TypeReference<List<MeterForecast>> SHARD =
            new com.fasterxml.jackson.core.type.TypeReference<>() {};

    private final HourlyHistory history;
    private final DocumentStore documents;
    private final Clock clock;
    private final Duration retrainEvery;
    private final int sampleMeters;
    private final Map<String, MeterForecast> latest = new ConcurrentHashMap<>();
    /** Gas, heat and cooling forecasts, kept apart: an electricity run replaces only its own. */
    private final Map<String, MeterForecast> heating = new ConcurrentHashMap<>();

    private volatile @Nullable FleetForecaster model;
    private volatile @Nullable Instant trainedAt;
    private volatile @Nullable String waitingFor;

    public ForecastService(
            HourlyHistory history, DocumentStore documents, Clock clock, Duration retrainEvery, int sampleMeters) {
        this.history = history;
        this.documents = documents;
        this.clock = clock;
        this.retrainEvery = retrainEvery;
        this.sampleMeters = sampleMeters;
        reload();
    }

    /**
     * Reads the forecasts again from the store, where another process (the Spark forecast job) may have written
     * them; returns how many there are.
     */
    public int reload() {
        Map<String, MeterForecast> electricity = new HashMap<>();
        Map<String, MeterForecast> others = new HashMap<>();
        for (Map.Entry<String, String> e : documents.documents(KIND).entrySet()) {
            try {
                for (MeterForecast f : ControlJson.MAPPER.readValue(e.getValue(), SHARD)) {
                    (e.getKey().equals("heating") ? others : electricity).put(f.key(), f);
                }
            } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException ex) {
                LOG.warn("Stored forecasts {} are unreadable and are skipped: {}", e.getKey(), ex.getMessage());
            }
        }
        latest.keySet().retainAll(electricity.keySet());
        latest.putAll(electricity);
        heating.keySet().retainAll(others.keySet());
        heating.putAll(others);
        return electricity.size() + others.size();
    }

    /**
     * Electricity forecasts as the documents they are stored in: {@value #SHARDS} lists by the hash of their key,
     * each shard written every time (an empty one removes what it held).
     */
    public static Map<String, String> documents(java.util.Collection<MeterForecast> forecasts) {
        List<List<MeterForecast>> shards = new ArrayList<>();
        for (int i = 0; i < SHARDS; i++) {
            shards.add(new ArrayList<>());
        }
        for (MeterForecast f : forecasts) {
            shards.get(Math.floorMod(f.key().hashCode(), SHARDS)).add(f);
        }
        Map<String, String> docs = new LinkedHashMap<>();
        for (int i = 0; i < SHARDS; i++) {
            docs.put("shard-" + i, ControlJson.write(shards.get(i)));
        }
        return docs;
    }

    /** What one run did. */
    public record Run(
            int meters,
            int communities,
            boolean retrained,
            int trainingRows,
            long trainMillis,
            long saveMillis,
            long millis,
            @Nullable String note) {}

    /** Hours of history a run needs of each meter (up to the last complete hour). */
    public static final int HOURS = FleetForecaster.NEEDED + BACKTEST_DAYS * 24;

    /**
     * Forecasts every meter and community from their {@code series} (at least {@link #HOURS} long, ending at the
     * last complete hour), retraining first when the models are missing or old, or {@code retrain} says so.
     * Meters with less than four weeks of history get no forecast.
     */
    public Run run(List<HourlyHistory.Meter> meters, List<HourlyHistory.Hourly> series, boolean retrain) {
        long started = System.nanoTime();
        Instant now = clock.instant();
        long end = Math.floorDiv(now.toEpochMilli(), HourlyHistory.HOUR) * HourlyHistory.HOUR;
        boolean retrained = false;
        int rows = 0;
        if (retrain
                || model == null
                || trainedAt == null
                || Duration.between(trainedAt, now).compareTo(retrainEvery) >= 0) {
            try {
                rows = train(meters, end);
                retrained = true;
                waitingFor = null;
            } catch (IllegalArgumentException e) {
                waitingFor = e.getMessage();
                LOG.info("No forecasts yet: {}", e.getMessage());
            }
        }
        long trainMillis = (System.nanoTime() - started) / 1_000_000;
        FleetForecaster m = model;
        if (m == null) {
            return new Run(0, 0, false, 0, 0, 0, (System.nanoTime() - started) / 1_000_000, waitingFor);
        }
        List<HourlyHistory.Hourly> areas = HourlyHistory.communityTotals(series);
        Map<String, MeterForecast> fresh = new LinkedHashMap<>();
        int meterCount = 0;
        for (List<HourlyHistory.Hourly> group : List.of(series, areas)) {
            for (HourlyHistory.Hourly s : group) {
                MeterForecast f = forecast(m, s, now);
                if (f != null) {
                    fresh.put(s.key(), f);
                    meterCount += s.deviceRef() != null ? 1 : 0;
                }
            }
        }
        long saving = System.nanoTime();
        documents.saveDocuments(KIND, documents(fresh.values()));
        // what was not forecast this time (a meter gone silent for weeks, say) is no longer served
        latest.keySet().retainAll(fresh.keySet());
        long saveMillis = (System.nanoTime() - saving) / 1_000_000;
        latest.putAll(fresh);
        return new Run(
                meterCount,
                fresh.size() - meterCount,
                retrained,
                rows,
                trainMillis,
                saveMillis,
                (System.nanoTime() - started) / 1_000_000,
                null);
    }

    private int train(List<HourlyHistory.Meter> meters, long end) {
        List<HourlyHistory.Meter> sample = new ArrayList<>(meters);
        Collections.shuffle(sample, new Random(17));
        sample = sample.subList(0, Math.min(sampleMeters, sample.size()));
        int hours = FleetForecaster.NEEDED + (TRAIN_DAYS + 1) * 24;
        List<HourlyHistory.Hourly> loaded = history.series(sample, end - hours * HourlyHistory.HOUR, end);
        List<FleetForecaster.Series> training = new ArrayList<>();
        for (HourlyHistory.Hourly h : loaded) {
            training.add(new FleetForecaster.Series(h.values(), h.firstLocal()));
        }
        for (HourlyHistory.Hourly h : HourlyHistory.communityTotals(loaded)) {
            training.add(new FleetForecaster.Series(h.values(), h.firstLocal()));
        }
        FleetForecaster fresh = FleetForecaster.standard();
        int rows = fresh.train(training, TRAIN_DAYS, 7);
        model = fresh;
        trainedAt = clock.instant();
        return rows;
    }

    private static @Nullable MeterForecast forecast(FleetForecaster m, HourlyHistory.Hourly s, Instant now) {
        double[] v = s.values();
        FleetForecaster.Forecast f =
                m.forecast(new FleetForecaster.Series(v, s.firstLocal()), v.length - 1, BACKTEST_DAYS, COVERAGE);
        if (f == null) {
            return null;
        }
        return electricity(
                s.key(),
                s.deviceRef() == null ? null : s.customerId(),
                s.deviceRef(),
                s.community(),
                now,
                s.hour(v.length),
                f.level(),
                f.value(),
                f.low(),
                f.high());
    }

    /**
     * Forecasts gas, heat and cooling meters ({@link HeatingForecaster}: from heating degree-days where the customer
     * has an outdoor temperature channel, else from the last week) and keeps them beside the electricity
     * forecasts; returns how many meters were forecast.
     */
    public int runHeating(Map<Commodity, List<HourlyHistory.Meter>> meters) {
        Instant now = clock.instant();
        long end = Math.floorDiv(now.toEpochMilli(), HourlyHistory.HOUR) * HourlyHistory.HOUR;
        long from = end - (long) HeatingForecaster.DAYS * 24 * HourlyHistory.HOUR;
        Map<String, MeterForecast> fresh = new LinkedHashMap<>();
        for (Map.Entry<Commodity, List<HourlyHistory.Meter>> e : meters.entrySet()) {
            if (e.getValue().isEmpty()) {
                continue;
            }
            Map<Long, double @Nullable []> temperatures = new HashMap<>();
            for (HourlyHistory.Hourly s : history.series(e.getValue(), from, end)) {
                double[] celsius =
                        temperatures.computeIfAbsent(s.customerId(), c -> history.outdoorTemperature(c, from, end));
                HeatingForecaster.Forecast f = HeatingForecaster.forecast(s.values(), celsius);
                if (f != null) {
                    fresh.put(s.key(), heatingForecast(s, e.getKey(), f, now));
                }
            }
        }
        documents.saveDocuments(KIND, Map.of("heating", ControlJson.write(List.copyOf(fresh.values()))));
        heating.clear();
        heating.putAll(fresh);
        return fresh.size();
    }

    private static MeterForecast heatingForecast(
            HourlyHistory.Hourly s, Commodity commodity, HeatingForecaster.Forecast f, Instant now) {
        int n = s.values().length;
        List<MeterForecast.Point> points = new ArrayList<>(24);
        for (int h = 0; h < 24; h++) {
            points.add(
                    new MeterForecast.Point(s.hour(n + h), round(f.hours()[h]), round(f.low()[h]), round(f.high()[h])));
        }
        return new MeterForecast(
                s.key(),
                s.customerId(),
                s.deviceRef(),
                s.community(),
                commodity.name().toLowerCase(java.util.Locale.ROOT),
                commodity.unit().symbol(),
                now,
                s.hour(n),
                round(f.total() / 24),
                COVERAGE,
                points.get(0),
                points,
                f.fit() == null ? null : round(f.degreeDays()));
    }

    static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    /**
     * An electricity forecast as the server serves it, from a {@link FleetForecaster} forecast made at the end of a
     * series whose next hour starts at {@code firstHour}: values rounded to the thousandth, the interval's coverage
     * {@value #COVERAGE} when it has one.
     */
    public static MeterForecast electricity(
            String key,
            @Nullable Long customer,
            @Nullable String device,
            @Nullable String community,
            Instant generatedAt,
            Instant firstHour,
            double level,
            double[] value,
            double @Nullable [] low,
            double @Nullable [] high) {
        List<MeterForecast.Point> points = new ArrayList<>(value.length);
        for (int h = 0; h < value.length; h++) {
            points.add(new MeterForecast.Point(
                    firstHour.plusMillis(h * HourlyHistory.HOUR),
                    round(value[h]),
                    low == null ? null : round(low[h]),
                    high == null ? null : round(high[h])));
        }
        return new MeterForecast(
                key,
                customer,
                device,
                community,
                "electricity",
                Commodity.ELECTRICITY.unit().symbol(),
                generatedAt,
                firstHour,
                round(level),
                low == null ? null : COVERAGE,
                points.get(0),
                points,
                null);
    }

    public Optional<MeterForecast> ofDevice(long customerId, String ref) {
        String key = HourlyHistory.deviceKey(customerId, ref);
        MeterForecast f = latest.get(key);
        return Optional.ofNullable(f != null ? f : heating.get(key));
    }

    public Optional<MeterForecast> ofCommunity(String name) {
        return Optional.ofNullable(latest.get("community:" + name));
    }

    /** The latest forecasts of a customer's meters. */
    public List<MeterForecast> ofCustomer(long customerId) {
        List<MeterForecast> out = new ArrayList<>();
        for (Map<String, MeterForecast> forecasts : List.of(latest, heating)) {
            for (MeterForecast f : forecasts.values()) {
                if (f.customer() != null && f.customer() == customerId) {
                    out.add(f);
                }
            }
        }
        out.sort(Comparator.comparing(a -> String.valueOf(a.device())));
        return out;
    }

    /** Why there are no forecasts yet, if so. */
    public Optional<String> waitingFor() {
        return Optional.ofNullable(waitingFor);
    }

    public Optional<Instant> trainedAt() {
        return Optional.ofNullable(trainedAt);
    }

    /** The trained models, for the incident checks that compare use with what was expected. */
    Optional<FleetForecaster> model() {
        return Optional.ofNullable(model);
    }
}
