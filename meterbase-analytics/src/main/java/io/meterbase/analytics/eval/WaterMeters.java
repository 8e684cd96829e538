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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * DAIAD smart water meters ({@code user key;datetime;meter reading;diff}, about hourly): each meter's litres per
 * local hour. A reading's {@code diff} (litres since the previous one) is put in the hour of the reading; a reading
 * more than 2 hours after the previous one makes its hour unknown (NaN), as are hours without a reading.
 */
public final class WaterMeters {

    /** One meter's hourly flow, from the midnight before its first reading. */
    public record Meter(String key, LocalDateTime first, double[] litresPerHour) {

        public int knownHours() {
            int n = 0;
            for (double v : litresPerHour) {
                n += Double.isNaN(v) ? 0 : 1;
            }
            return n;
        }
    }

    private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("dd/MM/yyyy HH:mm:ss");

    private WaterMeters() {}

    public static List<Meter> read(Path zip) throws IOException {
        Map<String, List<long[]>> readings = new LinkedHashMap<>();
        try (ZipInputStream z = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry e = z.getNextEntry(); e != null; e = z.getNextEntry()) {
                if (!e.getName().endsWith(".csv")) {
                    continue;
                }
                BufferedReader in = new BufferedReader(new InputStreamReader(z, StandardCharsets.UTF_8));
                CsvLayout layout =
                        CsvLayout.of(zip + "!" + e.getName(), in.readLine(), ';', "user key", "datetime", "diff");
                int user = layout.column("user key");
                int time = layout.column("datetime");
                int diff = layout.column("diff");
                int needed = Math.max(user, Math.max(time, diff)) + 1;
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    String[] f = layout.fields(line);
                    if (f.length < needed || f[diff].isBlank()) {
                        continue;
                    }
                    long minute = LocalDateTime.parse(f[time], TS).toEpochSecond(java.time.ZoneOffset.UTC) / 60;
                    readings.computeIfAbsent(f[user], k -> new ArrayList<>())
                            .add(new long[] {minute, (long) Double.parseDouble(f[diff])});
                }
            }
        }
        List<Meter> out = new ArrayList<>();
        readings.forEach((key, rows) -> out.add(meter(key, rows)));
        return out;
    }

    private static Meter meter(String key, List<long[]> rows) {
        rows.sort((a, b) -> Long.compare(a[0], b[0]));
        LocalDateTime first = LocalDateTime.ofEpochSecond(rows.get(0)[0] * 60, 0, java.time.ZoneOffset.UTC)
                .truncatedTo(ChronoUnit.DAYS);
        long firstMinute = first.toEpochSecond(java.time.ZoneOffset.UTC) / 60;
        int hours = (int) ((rows.get(rows.size() - 1)[0] - firstMinute) / 60) + 1;
        hours = (hours / 24) * 24; // whole days
        double[] v = new double[hours];
        Arrays.fill(v, Double.NaN);
        boolean[] unknown = new boolean[hours];
        long previous = Long.MIN_VALUE;
        for (long[] r : rows) {
            int hour = (int) ((r[0] - firstMinute) / 60);
            if (hour >= hours) {
                break;
            }
            if (previous != Long.MIN_VALUE && r[0] - previous > 120) {
                unknown[hour] = true;
            }
            v[hour] = (Double.isNaN(v[hour]) ? 0 : v[hour]) + Math.max(0, r[1]);
            previous = r[0];
        }
        for (int i = 0; i < hours; i++) {
            if (unknown[i]) {
                v[i] = Double.NaN;
            }
        }
        return new Meter(key, first, v);
    }
}
