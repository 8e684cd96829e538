package io.meterbase.core.store;

import io.meterbase.core.model.Reading;
import java.util.List;

/**
 * What one group commit makes durable at once: new readings, rejected inputs, and the hours whose rollups late
 * readings have made stale.
 */
public record WriteBatch(List<Reading> readings, List<QuarantineEntry> rejected, List<ReadingKey> staleHours) {

    public WriteBatch {
        readings = List.copyOf(readings);
        rejected = List.copyOf(rejected);
        staleHours = List.copyOf(staleHours);
    }

    public boolean isEmpty() {
        return readings.isEmpty() && rejected.isEmpty() && staleHours.isEmpty();
    }
}
