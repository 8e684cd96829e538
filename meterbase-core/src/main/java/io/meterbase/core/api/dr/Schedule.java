package io.meterbase.core.api.dr;

import java.time.DayOfWeek;
import java.time.LocalTime;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A customer's rule: switch off a device (or every device of a category) from {@code from} to {@code to} on the
 * given days, in the site's local time, and on again afterwards. {@code to} of {@code 00:00} means midnight.
 */
public record Schedule(
        @Nullable String id,
        long customerId,
        @Nullable String device,
        @Nullable String category,
        Set<DayOfWeek> days,
        LocalTime from,
        LocalTime to) {

    public Schedule {
        if ((device == null) == (category == null)) {
            throw new IllegalArgumentException("a schedule names either a device or a category");
        }
        if (days == null || days.isEmpty()) {
            throw new IllegalArgumentException("a schedule needs days, e.g. [\"monday\", \"tuesday\"]");
        }
        days = Set.copyOf(days);
        if (from == null || to == null || (!to.equals(LocalTime.MIDNIGHT) && !to.isAfter(from))) {
            throw new IllegalArgumentException("a schedule needs from < to (HH:mm; a window ends by midnight)");
        }
    }

    /** Whether the window is open at a local day and time. */
    public boolean covers(DayOfWeek day, LocalTime time) {
        return days.contains(day) && !time.isBefore(from) && (to.equals(LocalTime.MIDNIGHT) || time.isBefore(to));
    }
}
