package io.meterbase.services.stored;

import io.meterbase.core.api.dr.Event;
import java.time.Instant;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** A demand-response event as stored, with the devices it switched and those their customers overrode. */
public record StoredEvent(
        String id,
        String programId,
        Instant start,
        Instant end,
        @Nullable Double targetReductionKw,
        Event.Status status,
        Set<String> switched,
        Set<String> overrides) {

    public static StoredEvent of(Event e) {
        return new StoredEvent(
                e.id(),
                e.programId(),
                e.start(),
                e.end(),
                e.targetReductionKw(),
                e.status(),
                e.switched(),
                e.overrides());
    }

    public Event toApi() {
        return new Event(id, programId, start, end, targetReductionKw, status, switched, overrides);
    }
}
