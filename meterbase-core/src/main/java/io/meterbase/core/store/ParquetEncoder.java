package io.meterbase.core.store;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/**
 * Writes readings of some channels as one Parquet file with the columns {@code device, channel, quantity, unit,
 * channel_id, ts, value, quality}, ordered by time. Blocks; thread-safe.
 */
public interface ParquetEncoder {

    /** Writes the readings in {@code [from, to)} and returns how many. */
    long write(List<ExportChannel> channels, ReadingStore store, long from, long to, OutputStream out)
            throws IOException;
}
