package io.meterbase.core.ingest;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What one node (smart plug, meter, sensor node) reported in an upload: its id as the gateway knows it, and
 * optionally its name, type and category, with its readings.
 */
public record NodeReport(
        String ref,
        @Nullable String name,
        @Nullable String type,
        @Nullable String category,
        List<RawReading> readings) {

    public NodeReport {
        readings = List.copyOf(readings);
    }
}
