package io.meterbase.core.health;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How the server is: one check per part (the store, the disk, each transport) and the worst of them. DOWN means
 * it cannot keep readings (nothing is acknowledged); DEGRADED that it refuses some work on purpose (a disk below its
 * watermark) or a part is missing (a broker that is not listening).
 */
public record Health(Status status, List<Check> checks) {

    /** Better to worse. */
    public enum Status {
        UP,
        DEGRADED,
        DOWN;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One part's state.
     *
     * @param name e.g. {@code store}, {@code disk}, {@code mqtt}
     * @param detail in words, for the operator
     * @param figures numbers behind it (free bytes, readings waiting, ...)
     */
    public record Check(String name, Status status, String detail, Map<String, Object> figures) {
        public Check {
            figures = Map.copyOf(figures);
        }
    }

    public Health {
        checks = List.copyOf(checks);
    }

    /** The checks, with the worst status as the whole. */
    public static Health of(List<Check> checks) {
        Status worst = Status.UP;
        for (Check c : checks) {
            if (c.status().compareTo(worst) > 0) {
                worst = c.status();
            }
        }
        return new Health(worst, checks);
    }
}
