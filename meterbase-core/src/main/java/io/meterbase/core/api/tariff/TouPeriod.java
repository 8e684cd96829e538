package io.meterbase.core.api.tariff;

import java.math.BigDecimal;
import java.time.DayOfWeek;
import java.time.LocalTime;
import java.util.Locale;
import java.util.Set;

/**
 * A time-of-use period: on the given day kinds ({@code MON} … {@code SUN}, {@code HOLIDAY}), from {@code from}
 * (inclusive) to {@code to} (exclusive; {@code 00:00} means the end of the day), at {@code price}.
 */
public record TouPeriod(String name, Set<String> days, LocalTime from, LocalTime to, BigDecimal price) {

    public static final Set<String> DAY_KINDS = Set.of("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN", "HOLIDAY");

    public TouPeriod {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a time-of-use period needs a name");
        }
        if (days == null || days.isEmpty()) {
            throw new IllegalArgumentException("period " + name + ": days must name at least one of " + DAY_KINDS);
        }
        days = Set.copyOf(days.stream().map(d -> d.toUpperCase(Locale.ROOT)).toList());
        for (String d : days) {
            if (!DAY_KINDS.contains(d)) {
                throw new IllegalArgumentException("period " + name + ": unknown day '" + d + "'; use " + DAY_KINDS);
            }
        }
        if (from == null || to == null) {
            throw new IllegalArgumentException("period " + name + ": from and to are required (HH:mm)");
        }
        if (!to.equals(LocalTime.MIDNIGHT) && !to.isAfter(from)) {
            throw new IllegalArgumentException(
                    "period " + name + ": to must be after from (split a period that crosses midnight in two)");
        }
        Tariff.requirePrice(price, "period " + name, false);
    }

    /** The day kind of a date: its weekday, or {@code HOLIDAY}. */
    public static String dayKind(DayOfWeek day, boolean holiday) {
        return holiday ? "HOLIDAY" : day.name().substring(0, 3);
    }

    public boolean covers(String dayKind, LocalTime time) {
        return days.contains(dayKind) && !time.isBefore(from) && (to.equals(LocalTime.MIDNIGHT) || time.isBefore(to));
    }
}
