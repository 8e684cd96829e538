package io.meterbase.core.ingest;

import java.util.List;

/**
 * What one node (smart plug, meter, sensor node) reported in an upload: its id as the gateway knows it, and
 * optionally its name, type and category, with its readings.
 */
public record NodeReport(String ref, String name, String type, String category, List<RawReading> readings) {

    public NodeReport {
        readings = List.copyOf(readings);
    }
}
