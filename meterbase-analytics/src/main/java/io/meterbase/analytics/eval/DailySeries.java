package io.meterbase.analytics.eval;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A daily series: one value per consecutive date. */
public record DailySeries(LocalDate first, double[] values) {

    public LocalDate date(int index) {
        return first.plusDays(index);
    }

    public int indexOf(LocalDate date) {
        return (int) (date.toEpochDay() - first.toEpochDay());
    }

    /**
     * Daily totals of one column of an hourly file ({@code datetime,<col>,...}, datetime as
     * {@code yyyy-MM-dd HH:mm:ss}): the sum of the day's hours. Days must be consecutive.
     */
    public static DailySeries fromHourlySums(Path csv, String column) throws IOException {
        Map<LocalDate, Double> days = new TreeMap<>();
        try (BufferedReader in = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
            CsvLayout layout = CsvLayout.of(csv.toString(), in.readLine(), ',', "datetime", column);
            int time = layout.column("datetime");
            int col = layout.column(column);
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                String[] f = layout.fields(line);
                days.merge(LocalDate.parse(f[time].substring(0, 10)), Double.parseDouble(f[col]), Double::sum);
            }
        }
        List<Double> values = new ArrayList<>(days.values());
        LocalDate first = days.keySet().iterator().next();
        double[] v = new double[values.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = values.get(i);
        }
        DailySeries s = new DailySeries(first, v);
        if (!s.date(v.length - 1).equals(((TreeMap<LocalDate, Double>) days).lastKey())) {
            throw new IOException("days are missing in " + csv);
        }
        return s;
    }
}
