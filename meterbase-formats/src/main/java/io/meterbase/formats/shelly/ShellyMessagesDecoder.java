package io.meterbase.formats.shelly;

import com.fasterxml.jackson.databind.JsonNode;
import io.meterbase.core.ingest.DecodeContext;
import io.meterbase.core.ingest.DecodeException;
import io.meterbase.core.ingest.DeviceMessage;
import io.meterbase.formats.support.JsonDecoder;

/**
 * A Shelly Gen2's other messages: its answer to a command Meterbase sent as an RPC with
 * {@code src: "<id>/meterbase/<command>"}, on {@code <id>/meterbase/<command>/rpc} (an {@code error} object means the
 * device refused it), and the status of components other than switches ({@code <id>/status/sys}, {@code wifi},
 * ...), taken without acting on it. Switch status is {@link ShellyGen2Decoder}'s.
 */
public final class ShellyMessagesDecoder extends JsonDecoder {

    public static final String FORMAT = "shelly-gen2-messages";

    public ShellyMessagesDecoder() {
        super(FORMAT, "Shelly", "{device}/meterbase/{command}/rpc", "{device}/status/{component}");
    }

    @Override
    public DeviceMessage decode(byte[] payload, DecodeContext context) throws DecodeException {
        if (context.field("component") != null) {
            return new DeviceMessage.Ignored("Shelly status of " + context.field("component"));
        }
        String command = context.field("command");
        if (command == null) {
            throw new DecodeException("a Shelly RPC reply comes on <id>/meterbase/<command>/rpc");
        }
        JsonNode answer = tree(payload);
        if (answer == null || !answer.isObject()) {
            throw new DecodeException("a Shelly RPC reply is a JSON object");
        }
        boolean failed = answer.has("error");
        return new DeviceMessage.CommandReport(
                command,
                failed ? DeviceMessage.CommandOutcome.FAILED : DeviceMessage.CommandOutcome.DONE,
                failed ? answer.path("error").path("message").asText("the device refused") : null,
                DeviceMessage.Relay.UNSAID);
    }
}
