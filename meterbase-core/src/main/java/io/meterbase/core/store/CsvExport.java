package io.meterbase.core.store;

import io.meterbase.core.model.Quality;
import java.time.Instant;
import java.util.Locale;

/** The CSV line every store writes per exported reading: {@code channel_id,ts,value,quality}. */
public final class CsvExport {

    private CsvExport() {}

    public static String line(int channelId, long timestamp, double value, Quality quality) {
        return channelId + "," + Instant.ofEpochMilli(timestamp) + "," + value + ","
                + quality.name().toLowerCase(Locale.ROOT) + "\n";
    }
}
