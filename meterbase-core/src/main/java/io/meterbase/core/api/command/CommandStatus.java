package io.meterbase.core.api.command;

/** Where a command is: queued → sent → acknowledged → done, or failed or expired. */
public enum CommandStatus {
    QUEUED,
    SENT,
    ACKNOWLEDGED,
    DONE,
    FAILED,
    EXPIRED;

    public boolean finished() {
        return this == DONE || this == FAILED || this == EXPIRED;
    }
}
