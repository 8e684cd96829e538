package io.meterbase.core.query;

import io.meterbase.core.store.ReadingStore;

/**
 * Answers history of a channel over any range with at most N points: short ranges from raw readings, longer ones
 * from hourly rollups, very long ones from daily rollups, so a chart of years costs about as much as one of a day.
 */
public final class HistoryService {

    static final long SECOND = 1000;
    static final long HOUR = 3_600_000;
    static final long DAY = 24 * HOUR;
    private static final long[] STEPS = {
        SECOND,
        2 * SECOND,
        5 * SECOND,
        10 * SECOND,
        15 * SECOND,
        30 * SECOND,
        60 * SECOND,
        120 * SECOND,
        300 * SECOND,
        600 * SECOND,
        900 * SECOND,
        1800 * SECOND,
        HOUR,
        2 * HOUR,
        3 * HOUR,
        4 * HOUR,
        6 * HOUR,
        8 * HOUR,
        12 * HOUR,
        DAY,
        2 * DAY,
        7 * DAY,
        14 * DAY,
        30 * DAY,
        91 * DAY,
        365 * DAY
    };

    private final ReadingStore store;

    public HistoryService(ReadingStore store) {
        this.store = store;
    }

    /** The channel's values in {@code [from, to)} in at most {@code maxPoints} buckets of a round width. */
    public History history(int channelId, long from, long to, int maxPoints) {
        if (to <= from) {
            throw new IllegalArgumentException("to: must be after from");
        }
        if (maxPoints < 2) {
            throw new IllegalArgumentException("maxPoints: must be at least 2, was " + maxPoints);
        }
        long width = bucketWidth(to - from, maxPoints);
        if (width < HOUR) {
            return new History("raw", width, store.bucketsFromReadings(channelId, from, to, width));
        }
        if (width < 7 * DAY) {
            return new History("hourly", width, store.bucketsFromHourly(channelId, from, to, width));
        }
        return new History("daily", width, store.bucketsFromDaily(channelId, from, to, width));
    }

    /** The smallest round width that cuts {@code span} into at most {@code maxPoints} aligned buckets. */
    static long bucketWidth(long span, int maxPoints) {
        long needed = (span + maxPoints - 2) / (maxPoints - 1);
        for (long step : STEPS) {
            if (step >= needed) {
                return step;
            }
        }
        return ((needed + DAY - 1) / DAY) * DAY;
    }
}
