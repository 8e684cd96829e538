package io.meterbase.core.device;

import java.util.function.Consumer;

/** Alarm changes as they happen, for transports that publish them to devices and displays. */
public interface AlarmFeed {

    /** One alarm raised, changed or cleared: whose it is, and its public JSON form. */
    record Change(long customerId, String deviceRef, String json) {}

    void subscribe(Consumer<Change> subscriber);
}
