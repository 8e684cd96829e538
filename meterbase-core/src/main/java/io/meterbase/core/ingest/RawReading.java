package io.meterbase.core.ingest;

/**
 * A reading as a payload wrote it, before units are converted and identity resolved. {@code channel} may be null
 * (the quantity names the channel); {@code accumulation} may be null (the quantity's default applies).
 */
public record RawReading(
        String channel, String quantity, String unit, double value, long timestamp, String accumulation) {

    /** The channel name this reading goes to. */
    public String channelName() {
        return channel == null || channel.isBlank() ? quantity : channel;
    }

    /** A short text form for quarantine records. */
    public String describe() {
        return "{\"channel\":\"" + channelName() + "\",\"quantity\":\"" + quantity + "\",\"unit\":\"" + unit
                + "\",\"value\":" + value + ",\"ts\":" + timestamp + "}";
    }
}
