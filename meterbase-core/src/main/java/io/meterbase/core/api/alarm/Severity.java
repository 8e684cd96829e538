package io.meterbase.core.api.alarm;

/** How urgent an alarm is: a warning (over-voltage), an alarm (water leak), critical (gas leak, fire). */
public enum Severity {
    INFO,
    WARNING,
    ALARM,
    CRITICAL
}
