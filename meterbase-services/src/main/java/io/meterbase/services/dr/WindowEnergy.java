package io.meterbase.services.dr;

import io.meterbase.core.model.Channel;
import io.meterbase.core.model.Device;
import io.meterbase.core.query.ConsumptionService;
import io.meterbase.core.store.Bucket;
import io.meterbase.core.store.ReadingStore;
import java.util.OptionalDouble;

/**
 * A customer's electricity use in any time window, from the power readings of its counted devices: the mean power
 * of each device over the window times the window's length. Windows of minutes are measured as well as hours.
 */
final class WindowEnergy {

    private final ConsumptionService consumption;
    private final ReadingStore store;

    WindowEnergy(ConsumptionService consumption, ReadingStore store) {
        this.consumption = consumption;
        this.store = store;
    }

    /** Wh used in {@code [from, to)}, empty when no counted device reported power in it. */
    OptionalDouble energy(long customerId, long from, long to) {
        double watts = 0;
        boolean any = false;
        for (Device d : consumption.countedDevices(customerId)) {
            for (Channel c : consumption.powerChannels(d)) {
                double sum = 0;
                long count = 0;
                for (Bucket b : store.bucketsFromReadings(c.id(), from, to, Math.max(1, to - from))) {
                    sum += b.avg() * b.count();
                    count += b.count();
                }
                if (count > 0) {
                    watts += sum / count;
                    any = true;
                }
            }
        }
        return any ? OptionalDouble.of(watts * (to - from) / 3_600_000.0) : OptionalDouble.empty();
    }
}
