package io.meterbase.services.alarm;

import io.meterbase.core.api.alarm.Alarm;

/** Told of every new, acknowledged or cleared alarm (after it is stored); must return quickly. */
public interface AlarmListener {

    void changed(Alarm alarm);
}
