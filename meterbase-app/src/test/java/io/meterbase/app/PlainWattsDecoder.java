package io.meterbase.app;

import io.meterbase.core.ingest.DecodeContext;
import io.meterbase.core.ingest.DecodeException;
import io.meterbase.core.ingest.NodeReport;
import io.meterbase.core.ingest.PayloadDecoder;
import io.meterbase.core.ingest.RawReading;
import io.meterbase.core.ingest.Upload;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A format that exists only in tests, to show what adding one takes: this class and one registration line. Its
 * payload is a device's power in watts as plain text ({@code 42.5}), on {@code plainwatts/<device>/power}, as
 * {@code text/plain}, or by name.
 */
final class PlainWattsDecoder implements PayloadDecoder {

    @Override
    public String format() {
        return "plain-watts";
    }

    @Override
    public List<String> topics() {
        return List.of("plainwatts/{device}/power");
    }

    @Override
    public List<String> mediaTypes() {
        return List.of("text/plain");
    }

    @Override
    public Upload decode(byte[] payload, DecodeContext context) throws DecodeException {
        if (context.deviceRef() == null) {
            throw new DecodeException("plain watts name no device: send them on plainwatts/<device>/power");
        }
        String text = new String(payload, StandardCharsets.UTF_8).trim();
        double watts;
        try {
            watts = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new DecodeException("'" + text + "' is not a number of watts");
        }
        RawReading power = new RawReading("power", "active_power", "W", watts, context.receivedAt(), null);
        return new Upload(null, List.of(new NodeReport(context.deviceRef(), null, "smart_plug", null, List.of(power))));
    }
}
