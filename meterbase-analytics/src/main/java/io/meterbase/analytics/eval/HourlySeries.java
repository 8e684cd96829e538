package io.meterbase.analytics.eval;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;

/**
 * An hourly series of energy (kWh per hour), one value per consecutive local hour; the first hour starts a day.
 * Hours without data are filled with the same hour a day (or a week) before and counted in {@code filled}.
 */
public record HourlySeries(String name, LocalDateTime first, double[] values, int filled) {

    public LocalDateTime time(int index) {
        return first.plusHours(index);
    }

    private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    /** UCI household hourly sums: kWh in the hour = Global_active_power (sum of minute kW) / 60. */
    public static HourlySeries uci(Path csv) throws IOException {
        Map<LocalDateTime, Double> hours = new TreeMap<>();
        try (BufferedReader in = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
            CsvLayout layout = CsvLayout.of(csv.toString(), in.readLine(), ',', "datetime", "Global_active_power");
            int time = layout.column("datetime");
            int power = layout.column("Global_active_power");
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                String[] f = layout.fields(line);
                hours.put(LocalDateTime.parse(f[time], TS), Double.parseDouble(f[power]) / 60.0);
            }
        }
        return of("uci-household", hours);
    }

    /**
     * SGSC half-hourly readings (kWh) of every customer, summed into hours (local clock time). The columns are found
     * by name ({@code customer_id}, {@code reading_datetime}, {@code general_supply_kwh}, in any case), so both the
     * three-column extract and the standard layout (with {@code calendar_key}, {@code event_key} and the other
     * supplies between them) are read; a file with other columns is refused.
     */
    public static Map<String, HourlySeries> sgsc(Path csvGz) throws IOException {
        Map<String, Map<LocalDateTime, Double>> byCustomer = new LinkedHashMap<>();
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(new GZIPInputStream(Files.newInputStream(csvGz)), StandardCharsets.UTF_8))) {
            CsvLayout layout = CsvLayout.of(
                    csvGz.toString(), in.readLine(), ',', "customer_id", "reading_datetime", "general_supply_kwh");
            int customer = layout.column("customer_id");
            int time = layout.column("reading_datetime");
            int kwh = layout.column("general_supply_kwh");
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                String[] f = layout.fields(line);
                LocalDateTime hour = LocalDateTime.parse(f[time], TS).truncatedTo(ChronoUnit.HOURS);
                byCustomer
                        .computeIfAbsent(f[customer], k -> new TreeMap<>())
                        .merge(hour, Double.parseDouble(f[kwh]), Double::sum);
            }
        }
        Map<String, HourlySeries> out = new LinkedHashMap<>();
        byCustomer.forEach((c, hours) -> out.put(c, of("sgsc " + c, hours)));
        return out;
    }

    /** From whole days: starts at the first midnight, ends with the last complete day. */
    static HourlySeries of(String name, Map<LocalDateTime, Double> hours) {
        TreeMap<LocalDateTime, Double> sorted = new TreeMap<>(hours);
        LocalDateTime start = sorted.firstKey().truncatedTo(ChronoUnit.DAYS);
        if (!start.equals(sorted.firstKey())) {
            start = start.plusDays(1);
        }
        LocalDateTime end = sorted.lastKey().plusHours(1).truncatedTo(ChronoUnit.DAYS);
        int n = (int) ChronoUnit.HOURS.between(start, end);
        double[] v = new double[n];
        int filled = 0;
        for (int i = 0; i < n; i++) {
            Double x = sorted.get(start.plusHours(i));
            if (x == null) {
                filled++;
                x = i >= 24 ? v[i - 24] : 0;
            }
            v[i] = x;
        }
        return new HourlySeries(name, start, v, filled);
    }
}
