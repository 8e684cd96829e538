package io.meterbase.core.energy;

/** The consumption between two readings of a cumulative register, and what happened to the register. */
public record CounterStep(double delta, Kind kind) {

    /** What a register did between two readings. */
    public enum Kind {
        /** It grew by a plausible amount. */
        NORMAL,
        /** It passed its largest value and started again from zero. */
        ROLLOVER,
        /** It was reset to zero; what it shows now was consumed since. */
        RESET,
        /**
         * It went back a little (at most {@link #STEP_BACK_SHARE} of its value): a corrected reading, or the jitter
         * of a meter's last digit. Nothing is counted, and the register keeps its highest value, so that the climb
         * back to it is not counted a second time.
         */
        STEP_BACK,
        /** It went backwards without a reset: another meter, or tampering. Nothing is counted. */
        BACKWARDS,
        /** It jumped by more than the channel can consume in the time: nothing is counted. */
        SPIKE
    }

    /** How far back, as a share of its value, a register may step and still be the same register. */
    public static final double STEP_BACK_SHARE = 0.01;

    /** Whether the register went back, a little or a lot: a sign of tampering or of a meter exchanged. */
    public boolean wentBack() {
        return kind == Kind.STEP_BACK || kind == Kind.BACKWARDS;
    }

    /**
     * The step from register value {@code previous} to {@code current}, {@code elapsedMillis} later, for a channel
     * that consumes at most {@code maxPerHour} (in the register's unit per hour).
     */
    public static CounterStep between(double previous, double current, long elapsedMillis, double maxPerHour) {
        double limit = maxPerHour * Math.max(elapsedMillis, 1000L) / 3_600_000.0;
        double delta = current - previous;
        if (delta >= 0) {
            return delta <= limit ? new CounterStep(delta, Kind.NORMAL) : new CounterStep(0, Kind.SPIKE);
        }
        if (previous > 0 && -delta <= STEP_BACK_SHARE * previous) {
            return new CounterStep(0, Kind.STEP_BACK);
        }
        double wrap = wrapValue(previous);
        if (previous >= 0.9 * wrap && current >= 0 && current < 0.1 * wrap) {
            double rolled = wrap - previous + current;
            if (rolled <= limit) {
                return new CounterStep(rolled, Kind.ROLLOVER);
            }
        }
        if (current >= 0 && current < 0.5 * previous && current <= limit) {
            return new CounterStep(current, Kind.RESET);
        }
        return new CounterStep(0, Kind.BACKWARDS);
    }

    /** The smallest power of ten above {@code value}: where a register with that many digits wraps. */
    static double wrapValue(double value) {
        double wrap = 10;
        while (wrap <= value) {
            wrap *= 10;
        }
        return wrap;
    }
}
