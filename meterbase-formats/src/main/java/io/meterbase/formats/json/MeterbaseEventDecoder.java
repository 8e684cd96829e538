package io.meterbase.formats.json;

import com.fasterxml.jackson.databind.JsonNode;
import io.meterbase.core.ingest.DecodeContext;
import io.meterbase.core.ingest.DecodeException;
import io.meterbase.core.ingest.DeviceMessage;
import io.meterbase.formats.support.JsonDecoder;
import java.util.List;

/**
 * A native device's event on {@code meterbase/<ref>/event}: {@code {"type": "tamper_case_open", "on": true,
 * "detail": "..."}}; {@code on} defaults to true (raised), false clears it.
 */
public final class MeterbaseEventDecoder extends JsonDecoder {

    public static final String FORMAT = "meterbase-event";

    public MeterbaseEventDecoder() {
        super(FORMAT, "event", "meterbase/{device}/event");
    }

    @Override
    public DeviceMessage decode(byte[] payload, DecodeContext context) throws DecodeException {
        if (context.deviceRef() == null) {
            throw new DecodeException("an event comes from a device: send it on meterbase/<ref>/event");
        }
        JsonNode event = tree(payload);
        String type = event == null ? null : event.path("type").asText(null);
        if (type == null) {
            throw new DecodeException("an event needs a type: {\"type\": \"tamper_case_open\"}");
        }
        return new DeviceMessage.Events(
                context.deviceRef(),
                List.of(new DeviceMessage.Event(
                        type,
                        event.path("on").asBoolean(true),
                        event.path("detail").asText(null))));
    }
}
