package io.meterbase.services.tariff;

import io.meterbase.core.model.Device;
import io.meterbase.core.query.Commodity;
import io.meterbase.core.query.EnergyPoint;
import java.time.ZoneId;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/** What billing reads: a customer's devices, time zone and hourly consumption. */
public interface Usage {

    /** The devices counted for the customer's total (main meters if any, else all). */
    List<Device> counted(long customerId);

    /** The devices counted for the customer's total of a commodity (its main meters of it, site by site). */
    default List<Device> counted(long customerId, Commodity commodity) {
        return counted(customerId);
    }

    List<Device> all(long customerId);

    ZoneId zone(long customerId);

    /** Consumption per device ref and hour start in {@code [from, to)}, in the commodity's stored unit. */
    Map<String, NavigableMap<Long, Double>> hourly(Collection<Device> devices, Commodity commodity, long from, long to);

    /**
     * The hours in {@code [from, to)} whose consumption of the devices was not all measured, by hour start: the
     * amount estimated (stored unit) and the time nothing was received. None by default.
     */
    default NavigableMap<Long, EnergyPoint> estimatedHours(
            Collection<Device> devices, Commodity commodity, long from, long to) {
        return new TreeMap<>();
    }

    /**
     * Electricity the customer's grid meters sent to the grid, per hour start in {@code [from, to)}, in Wh (none
     * without a grid meter that measures export).
     */
    default NavigableMap<Long, Double> exported(long customerId, long from, long to) {
        return new TreeMap<>();
    }
}
