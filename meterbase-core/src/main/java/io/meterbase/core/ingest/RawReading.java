package io.meterbase.core.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import org.jspecify.annotations.Nullable;

/**
 * A reading as a payload wrote it, before units are converted and identity resolved. {@code channel} may be null
 * (the quantity names the channel); {@code accumulation} may be null (the quantity's default applies).
 */
public record RawReading(
        @Nullable String channel,
        @Nullable String quantity,
        @Nullable String unit,
        double value,
        long timestamp,
        @Nullable String accumulation) {

    /** The channel name this reading goes to. */
    public @Nullable String channelName() {
        return channel == null || channel.isBlank() ? quantity : channel;
    }

    /** The reading as a JSON object, for quarantine records; total whatever the names and value hold. */
    public String describe() {
        StringWriter out = new StringWriter();
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("channel", channelName());
            json.writeStringField("quantity", quantity);
            json.writeStringField("unit", unit);
            if (Double.isFinite(value)) {
                json.writeNumberField("value", value);
            } else {
                json.writeStringField("value", Double.toString(value));
            }
            json.writeNumberField("ts", timestamp);
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.toString();
    }

    private static final JsonFactory JSON = new JsonFactory();
}
