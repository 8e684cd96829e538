package io.meterbase.core.ingest;

import io.meterbase.core.model.Quantity;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/**
 * Validation limits and pipeline sizes, with their defaults. Ranges default to each quantity's
 * {@link Quantity#defaultMin()}/{@link Quantity#defaultMax()} and can be narrowed per quantity.
 */
public record IngestSettings(
        Duration maxFuture,
        Duration retention,
        Map<Quantity, double[]> ranges,
        UnknownDevices unknownDevices,
        int queueCapacity,
        int maxBatch,
        Duration rollupInterval,
        Duration maxIntegrationGap,
        Duration answerWithin,
        Duration drainOnClose) {

    public IngestSettings {
        ranges = Map.copyOf(ranges);
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("queueCapacity: must be positive, was " + queueCapacity);
        }
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch: must be positive, was " + maxBatch);
        }
    }

    /** What happens to readings of a device its customer has not registered. */
    public enum UnknownDevices {
        /** The device is registered at its first upload (seed 000's gateways provision nodes this way). */
        REGISTER,
        /** Its readings are refused and the device waits for its owner or an operator to approve it. */
        HOLD,
        /** Its readings are refused. */
        REJECT
    }

    /** Whether unknown devices are registered at their first upload. */
    public boolean autoRegisterDevices() {
        return unknownDevices == UnknownDevices.REGISTER;
    }

    public static IngestSettings defaults() {
        return new IngestSettings(
                Duration.ofMinutes(5),
                Duration.ofDays(10 * 366),
                new EnumMap<>(Quantity.class),
                UnknownDevices.REGISTER,
                2_000_000,
                200_000,
                Duration.ofSeconds(1),
                Duration.ofMinutes(15),
                Duration.ofSeconds(2),
                Duration.ofSeconds(20));
    }

    public double min(Quantity q) {
        double[] r = ranges.get(q);
        return r == null ? q.defaultMin() : r[0];
    }

    public double max(Quantity q) {
        double[] r = ranges.get(q);
        return r == null ? q.defaultMax() : r[1];
    }

    public IngestSettings withRange(Quantity q, double min, double max) {
        Map<Quantity, double[]> copy = new EnumMap<>(Quantity.class);
        copy.putAll(ranges);
        copy.put(q, new double[] {min, max});
        return new IngestSettings(
                maxFuture,
                retention,
                copy,
                unknownDevices,
                queueCapacity,
                maxBatch,
                rollupInterval,
                maxIntegrationGap,
                answerWithin,
                drainOnClose);
    }

    public IngestSettings withAutoRegisterDevices(boolean on) {
        return withUnknownDevices(on ? UnknownDevices.REGISTER : UnknownDevices.REJECT);
    }

    public IngestSettings withUnknownDevices(UnknownDevices mode) {
        return new IngestSettings(
                maxFuture,
                retention,
                ranges,
                mode,
                queueCapacity,
                maxBatch,
                rollupInterval,
                maxIntegrationGap,
                answerWithin,
                drainOnClose);
    }

    public IngestSettings withQueueCapacity(int capacity) {
        return new IngestSettings(
                maxFuture,
                retention,
                ranges,
                unknownDevices,
                capacity,
                maxBatch,
                rollupInterval,
                maxIntegrationGap,
                answerWithin,
                drainOnClose);
    }
}
