package io.meterbase.services.stored;

import io.meterbase.core.api.dr.Schedule;
import java.time.DayOfWeek;
import java.time.LocalTime;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** A customer's schedule (a device or category switched on for a window on some days) as stored. */
public record StoredSchedule(
        @Nullable String id,
        long customerId,
        @Nullable String device,
        @Nullable String category,
        Set<DayOfWeek> days,
        LocalTime from,
        LocalTime to) {

    public static StoredSchedule of(Schedule s) {
        return new StoredSchedule(s.id(), s.customerId(), s.device(), s.category(), s.days(), s.from(), s.to());
    }

    public Schedule toApi() {
        return new Schedule(id, customerId, device, category, days, from, to);
    }
}
