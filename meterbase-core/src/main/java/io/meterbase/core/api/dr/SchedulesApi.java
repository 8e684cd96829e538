package io.meterbase.core.api.dr;

import java.util.List;

/** Customers' weekly schedules that switch their devices. */
public interface SchedulesApi {

    /** Adds a schedule; its id is given here. */
    Schedule add(Schedule schedule);

    List<Schedule> of(long customerId);

    /** Removes a customer's schedule; false when it has none of that id. */
    boolean remove(long customerId, String id);
}
