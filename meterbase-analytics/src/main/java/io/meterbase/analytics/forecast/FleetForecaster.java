package io.meterbase.analytics.forecast;

import java.time.DayOfWeek;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.jspecify.annotations.Nullable;

/**
 * Hourly forecasts for a whole fleet of meters by one set of models: for each horizon h = 1 … 24 hours after the
 * origin (the last known hour), an elastic-net model ({@link LinearFit}) on lag and calendar features, trained on
 * the pooled history of many meters. Each meter's values are divided by its <em>level</em> (its mean over the four
 * weeks up to the origin) before features and targets are made, so that meters of any size share the models and a
 * forecast is the model's answer times the meter's level. Training on a sample of meters, once, and forecasting
 * with dot products is what makes forecasts for 10,000 meters cheap; a model per meter would cost 25 fits each.
 *
 * <p>Prediction intervals come from the meter's own recent errors: the model is run from each of the last
 * {@code backtestDays} days' origins, and the interval is the forecast plus the lower and upper quantiles of those
 * errors (on the level's scale), never below zero.
 */
public final class FleetForecaster {

    /** Hours after the origin that are forecast. */
    public static final int HORIZON = 24;
    /** Hours of history (up to and including the origin) a forecast needs: four weeks and a day. */
    public static final int NEEDED = 29 * 24;

    private static final String[] NAMES = names();

    /** Values known over at least this share of the level window make a usable level. */
    private static final double MIN_KNOWN_SHARE = 0.25;
    /** Fewest rows a model is fitted on. */
    private static final int MIN_ROWS = 14;

    private final double alpha;
    private final double l1Ratio;
    private final int maxOrigins;
    private final boolean logScale;
    private LinearFit @Nullable [][] models;
    /** Per model: the median of its training errors (relative to the level), added to its forecasts. */
    private double @Nullable [][] shift;

    /** A meter's hourly history: {@code values[i]} is the hour starting at {@code first + i} (local time); NaN unknown. */
    public record Series(double[] values, LocalDateTime first) {}

    /**
     * A forecast from origin index {@code origin}: {@code value[h-1]} is hour {@code origin + h}; {@code low} and
     * {@code high} bound the prediction interval (null when it was not asked for).
     */
    public record Forecast(
            int origin, double level, double[] value, double @Nullable [] low, double @Nullable [] high) {}

    /**
     * {@code logScale}: the models fit {@code log(1 + value / level)} from features on the same scale; household
     * loads are skewed, and this aims nearer the median, which lowers absolute errors.
     */
    public FleetForecaster(double alpha, double l1Ratio, int maxOrigins, boolean logScale) {
        this.alpha = alpha;
        this.l1Ratio = l1Ratio;
        this.maxOrigins = maxOrigins;
        this.logScale = logScale;
    }

    /** The settings used by the server and evaluated in {@code docs/analytics.md}. */
    public static FleetForecaster standard() {
        return new FleetForecaster(0.01, 0.5, 20_000, true);
    }

    public boolean trained() {
        return models != null;
    }

    /**
     * Trains the 24 models on origins in the last {@code trainDays} days of each series whose 24 following hours are
     * known; when there are more origins than {@code maxOrigins}, a random sample of origins (seeded) is used.
     *
     * @return the number of training rows in all
     */
    public int train(List<Series> series, int trainDays, long seed) {
        List<int[]> origins = new ArrayList<>(); // {series index, origin}
        for (int si = 0; si < series.size(); si++) {
            double[] y = series.get(si).values();
            for (int t = Math.max(NEEDED - 1, y.length - HORIZON - 1 - trainDays * 24); t + HORIZON < y.length; t++) {
                origins.add(new int[] {si, t});
            }
        }
        Random random = new Random(seed);
        if (origins.size() > maxOrigins) {
            java.util.Collections.shuffle(origins, random);
            origins = origins.subList(0, maxOrigins);
        }
        // one model per lead time and hour of the day of the target: the day's shape differs by hour
        List<List<double[]>> xs = new ArrayList<>();
        List<List<Double>> ts = new ArrayList<>();
        for (int i = 0; i < SLOTS; i++) {
            xs.add(new ArrayList<>());
            ts.add(new ArrayList<>());
        }
        for (int[] o : origins) {
            rowsAt(series.get(o[0]), o[1], r -> {
                xs.get(r.slot()).add(r.x());
                ts.get(r.slot()).add(r.target());
            });
        }
        int rows = 0;
        LinearFit[][] fitted = new LinearFit[HORIZON][24];
        double[][] shifts = new double[HORIZON][24];
        for (int slot = 0; slot < SLOTS; slot++) {
            rows += xs.get(slot).size();
            SlotFit f = fitSlot(xs.get(slot), ts.get(slot));
            fitted[slot / 24][slot % 24] = f.fit();
            shifts[slot / 24][slot % 24] = f.shift();
        }
        models = fitted;
        shift = shifts;
        return rows;
    }

    /** The number of models: one per lead time and hour of the day of the target. */
    public static final int SLOTS = HORIZON * 24;

    /** One training row: the model ({@code slot}: lead time − 1 times 24 plus the target's hour) and its data. */
    public record TrainingRow(int slot, double[] x, double target) {}

    /** A slot's fitted model and the median miss added to its answers. */
    public record SlotFit(LinearFit fit, double shift) {}

    /**
     * Every training row of one meter over origins in its last {@code trainDays} days (no sample): what
     * {@link #train} gathers from each of the origins it keeps, for a training spread over many machines.
     */
    public List<TrainingRow> trainingRows(Series s, int trainDays) {
        List<TrainingRow> out = new ArrayList<>();
        double[] y = s.values();
        for (int t = Math.max(NEEDED - 1, y.length - HORIZON - 1 - trainDays * 24); t + HORIZON < y.length; t++) {
            rowsAt(s, t, out::add);
        }
        return out;
    }

    /** The rows of one origin. */
    private void rowsAt(Series s, int t, java.util.function.Consumer<TrainingRow> out) {
        double[] y = s.values();
        double level = level(y, t);
        if (!(level > 0)) {
            return;
        }
        Window w = window(y, t, level);
        for (int h = 1; h <= HORIZON; h++) {
            double target = y[t + h];
            if (Double.isNaN(target)) {
                continue;
            }
            LocalDateTime at = s.first().plusHours(t + h);
            out.accept(new TrainingRow((h - 1) * 24 + at.getHour(), features(w, h, at), scale(target / level)));
        }
    }

    /** Fits one slot's model on its rows. */
    public SlotFit fitSlot(List<double[]> xs, List<Double> ts) {
        if (xs.size() < MIN_ROWS) {
            throw new IllegalArgumentException("too little history to train on: forecasts need " + (NEEDED / 24 + 1)
                    + " days of a meter, and " + MIN_ROWS + " days in all");
        }
        LinearFit fit = LinearFit.fit(xs, ts, NAMES, alpha, l1Ratio);
        return new SlotFit(fit, medianShift(fit, xs, ts));
    }

    /** The fitted models in slot order (for a copy elsewhere, {@link #install}); empty until trained. */
    public List<SlotFit> slots() {
        LinearFit[][] m = models;
        double[][] sh = shift;
        List<SlotFit> out = new ArrayList<>();
        if (m == null || sh == null) {
            return out;
        }
        for (int slot = 0; slot < SLOTS; slot++) {
            out.add(new SlotFit(m[slot / 24][slot % 24], sh[slot / 24][slot % 24]));
        }
        return out;
    }

    /** Takes models fitted elsewhere ({@link #fitSlot} for each of the {@link #SLOTS} slots, in slot order). */
    public void install(List<SlotFit> slots) {
        if (slots.size() != SLOTS) {
            throw new IllegalArgumentException("slots: " + SLOTS + " expected, got " + slots.size());
        }
        LinearFit[][] fitted = new LinearFit[HORIZON][24];
        double[][] shifts = new double[HORIZON][24];
        for (int slot = 0; slot < SLOTS; slot++) {
            fitted[slot / 24][slot % 24] = slots.get(slot).fit();
            shifts[slot / 24][slot % 24] = slots.get(slot).shift();
        }
        models = fitted;
        shift = shifts;
    }

    /**
     * The median of what the model's answers (turned back to the level's scale) miss on its training rows. Absolute
     * errors are smallest at the median, and loads are skewed: the mean (or the log model's answer) is not it.
     */
    private double medianShift(LinearFit fit, List<double[]> xs, List<Double> ts) {
        double[] misses = new double[xs.size()];
        for (int i = 0; i < misses.length; i++) {
            misses[i] = unscale(ts.get(i)) - unscale(fit.predict(xs.get(i)));
        }
        Arrays.sort(misses);
        return quantile(misses, 0.5);
    }

    /**
     * The mean of the known values of the four weeks up to and including {@code t}; NaN when too few are known,
     * 0 when the meter used nothing.
     */
    public static double level(double[] y, int t) {
        double sum = 0;
        int known = 0;
        for (int i = Math.max(0, t - 671); i <= t; i++) {
            if (!Double.isNaN(y[i])) {
                sum += y[i];
                known++;
            }
        }
        return known < MIN_KNOWN_SHARE * 672 ? Double.NaN : Math.max(0, sum / known);
    }

    /** The next 24 hours after origin {@code t}, without interval; null when the meter's level is unknown. */
    public @Nullable Forecast forecast(Series s, int t) {
        LinearFit[][] models = this.models;
        double[][] shift = this.shift;
        if (models == null || shift == null) {
            throw new IllegalStateException("the fleet models are not trained yet");
        }
        double[] y = s.values();
        double level = level(y, t);
        if (Double.isNaN(level) || t + 1 < NEEDED) {
            return null;
        }
        double[] out = new double[HORIZON];
        if (level > 0) {
            Window w = window(y, t, level);
            for (int h = 1; h <= HORIZON; h++) {
                LocalDateTime at = s.first().plusHours(t + h);
                double z = models[h - 1][at.getHour()].predict(features(w, h, at));
                out[h - 1] = Math.max(0, (unscale(z) + shift[h - 1][at.getHour()]) * level);
            }
        }
        return new Forecast(t, level, out, null, null);
    }

    /**
     * The next 24 hours after origin {@code t} with a prediction interval covering {@code coverage} (e.g. 0.8) of
     * the errors made from the origins of the last {@code backtestDays} days; without interval when fewer than
     * seven of those days had a forecast.
     */
    public @Nullable Forecast forecast(Series s, int t, int backtestDays, double coverage) {
        Forecast point = forecast(s, t);
        if (point == null) {
            return null;
        }
        double[] q = errorQuantiles(s, t, backtestDays, coverage);
        return q == null ? point : withInterval(point, q);
    }

    /**
     * The lower and upper quantiles (for {@code coverage}) of the errors, relative to the level, of the forecasts
     * made from the origins of the {@code backtestDays} days before {@code t}; null when fewer than seven of those
     * days had a forecast.
     */
    public double @Nullable [] errorQuantiles(Series s, int t, int backtestDays, double coverage) {
        double[] y = s.values();
        double[] errors = new double[backtestDays * HORIZON];
        int n = 0;
        int days = 0;
        for (int d = 1; d <= backtestDays; d++) {
            int origin = t - 24 * d;
            if (origin + 1 < NEEDED) {
                break;
            }
            Forecast past = forecast(s, origin);
            if (past == null || !(past.level() > 0)) {
                continue;
            }
            days++;
            for (int h = 1; h <= HORIZON; h++) {
                double actual = y[origin + h];
                if (!Double.isNaN(actual)) {
                    errors[n++] = (actual - past.value()[h - 1]) / past.level();
                }
            }
        }
        if (days < 7 || n == 0) {
            return null;
        }
        double[] sorted = Arrays.copyOf(errors, n);
        Arrays.sort(sorted);
        return new double[] {quantile(sorted, (1 - coverage) / 2), quantile(sorted, 1 - (1 - coverage) / 2)};
    }

    /** A point forecast with the interval of {@link #errorQuantiles}. */
    public static Forecast withInterval(Forecast point, double[] quantiles) {
        double[] low = new double[HORIZON];
        double[] high = new double[HORIZON];
        for (int h = 0; h < HORIZON; h++) {
            low[h] = Math.max(0, point.value()[h] + quantiles[0] * point.level());
            high[h] = Math.max(low[h], point.value()[h] + quantiles[1] * point.level());
        }
        return new Forecast(point.origin(), point.level(), point.value(), low, high);
    }

    private static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int i = (int) Math.floor(pos);
        int j = Math.min(sorted.length - 1, i + 1);
        return sorted[i] + (pos - i) * (sorted[j] - sorted[i]);
    }

    private static String[] names() {
        List<String> n = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            n.add("lag" + i);
        }
        for (int d = 1; d <= 7; d++) {
            n.add("same_hour_" + d + "d_before");
        }
        n.add("same_hour_4w_mean");
        n.add("same_hour_mean_28d");
        n.add("mean_last_day");
        n.add("mean_last_week");
        for (int h = 0; h < 24; h++) {
            n.add("hour_" + h);
        }
        for (DayOfWeek d : DayOfWeek.values()) {
            n.add("dow_" + d);
        }
        n.add("season_sin");
        n.add("season_cos");
        return n.toArray(String[]::new);
    }

    private double scale(double relative) {
        return logScale ? Math.log1p(Math.max(0, relative)) : relative;
    }

    private double unscale(double v) {
        return logScale ? Math.expm1(v) : v;
    }

    /**
     * What is known at origin {@code t} on the model's scale: the values of hours {@code t - NEEDED + 1 … t}
     * divided by the level (an unknown one counting as the level), and the last day's and week's means. Made
     * once per origin and shared by its 24 lead times.
     */
    private record Window(int t, double[] z, double meanDay, double meanWeek) {

        double at(int index) {
            return z[index - (t - NEEDED + 1)];
        }
    }

    private Window window(double[] y, int t, double level) {
        double[] z = new double[NEEDED];
        int base = t - NEEDED + 1;
        for (int k = 0; k < NEEDED; k++) {
            z[k] = at(y, base + k, level);
        }
        double day = 0;
        for (int k = NEEDED - 24; k < NEEDED; k++) {
            day += z[k];
        }
        double week = 0;
        for (int k = NEEDED - 168; k < NEEDED; k++) {
            week += z[k];
        }
        return new Window(t, z, day / 24, week / 168);
    }

    /**
     * Features of target hour {@code t + h} from what is known at origin {@code t} (the window), each value divided by the
     * level; an unknown value counts as the level (1). Nothing after index {@code t} is read.
     */
    private static double[] features(Window w, int h, LocalDateTime target) {
        double[] f = new double[NAMES.length];
        int k = 0;
        int t = w.t();
        for (int i = 0; i < 24; i++) {
            f[k++] = w.at(t - i);
        }
        int targetIndex = t + h;
        for (int d = 1; d <= 7; d++) {
            f[k++] = w.at(targetIndex - 24 * d);
        }
        f[k++] = (w.at(targetIndex - 168) + w.at(targetIndex - 336) + w.at(targetIndex - 504) + w.at(targetIndex - 672))
                / 4;
        double sameHour = 0;
        for (int d = 1; d <= 28; d++) {
            sameHour += w.at(targetIndex - 24 * d);
        }
        f[k++] = sameHour / 28;
        f[k++] = w.meanDay();
        f[k++] = w.meanWeek();
        f[k + target.getHour()] = 1;
        k += 24;
        f[k + target.getDayOfWeek().ordinal()] = 1;
        k += 7;
        double angle = 2 * Math.PI * target.getDayOfYear() / 365.25;
        f[k++] = Math.sin(angle);
        f[k] = Math.cos(angle);
        return f;
    }

    private double at(double[] y, int i, double level) {
        double v = y[i];
        return scale(Double.isNaN(v) ? 1 : v / level);
    }
}
