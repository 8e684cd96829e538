package io.meterbase.core.store;

/** Size of a store: rows of readings and bytes on disk (0 where the store cannot tell). */
public record StorageStats(long readings, long bytesOnDisk) {

    public double bytesPerReading() {
        return readings == 0 ? 0 : (double) bytesOnDisk / readings;
    }
}
