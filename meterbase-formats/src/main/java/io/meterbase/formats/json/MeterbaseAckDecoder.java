package io.meterbase.formats.json;

import com.fasterxml.jackson.databind.JsonNode;
import io.meterbase.core.ingest.DecodeContext;
import io.meterbase.core.ingest.DecodeException;
import io.meterbase.core.ingest.DeviceMessage;
import io.meterbase.formats.support.JsonDecoder;
import java.util.Locale;

/**
 * A native device's or gateway's answer to a command: {@code {"id": ..., "status": "acknowledged|done|failed",
 * "relay": "on|off", "detail": ...}}, on {@code meterbase/<ref>/ack} or CoAP's {@code /ack}.
 */
public final class MeterbaseAckDecoder extends JsonDecoder {

    public static final String FORMAT = "meterbase-ack";

    public MeterbaseAckDecoder() {
        super(FORMAT, "ack", "meterbase/{device}/ack");
    }

    @Override
    public DeviceMessage decode(byte[] payload, DecodeContext context) throws DecodeException {
        JsonNode ack = tree(payload);
        if (ack == null || !ack.isObject() || !ack.hasNonNull("id")) {
            throw new DecodeException("an ack names the command: {\"id\": ..., \"status\": ...}");
        }
        DeviceMessage.CommandOutcome outcome =
                switch (ack.path("status").asText("").toLowerCase(Locale.ROOT)) {
                    case "acknowledged" -> DeviceMessage.CommandOutcome.ACKNOWLEDGED;
                    case "done" -> DeviceMessage.CommandOutcome.DONE;
                    case "failed" -> DeviceMessage.CommandOutcome.FAILED;
                    default -> throw new DecodeException("an ack's status is acknowledged, done or failed");
                };
        DeviceMessage.Relay relay = !ack.hasNonNull("relay")
                ? DeviceMessage.Relay.UNSAID
                : "on".equalsIgnoreCase(ack.get("relay").asText()) ? DeviceMessage.Relay.ON : DeviceMessage.Relay.OFF;
        return new DeviceMessage.CommandReport(
                ack.get("id").asText(), outcome, ack.path("detail").asText(null), relay);
    }
}
