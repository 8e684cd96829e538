package io.meterbase.core.api.dr;

import java.time.Instant;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A demand-response event: the program's enrolled devices are switched off from {@code start} to {@code end}
 * (spread over the program's stagger), then restored. {@code overrides} are the devices their customers took
 * out; {@code switched} those actually switched off, as {@code <customer>/<device>}.
 */
public record Event(
        String id,
        String programId,
        Instant start,
        Instant end,
        @Nullable Double targetReductionKw,
        Status status,
        Set<String> switched,
        Set<String> overrides) {

    /** Where an event is. */
    public enum Status {
        SCHEDULED,
        ACTIVE,
        ENDED,
        CANCELLED
    }

    public Event {
        if (start == null || end == null || !end.isAfter(start)) {
            throw new IllegalArgumentException("an event needs start < end");
        }
        status = status == null ? Status.SCHEDULED : status;
        switched = switched == null ? Set.of() : Set.copyOf(switched);
        overrides = overrides == null ? Set.of() : Set.copyOf(overrides);
    }

    public Event with(Status s, Set<String> sw, Set<String> ov) {
        return new Event(id, programId, start, end, targetReductionKw, s, sw, ov);
    }
}
