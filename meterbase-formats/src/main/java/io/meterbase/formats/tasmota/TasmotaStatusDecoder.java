package io.meterbase.formats.tasmota;

import com.fasterxml.jackson.databind.JsonNode;
import io.meterbase.core.ingest.DecodeContext;
import io.meterbase.core.ingest.DecodeException;
import io.meterbase.core.ingest.DeviceMessage;
import io.meterbase.formats.support.JsonDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Tasmota's other messages: {@code tele/<topic>/LWT} ({@code Online} / {@code Offline}, its presence),
 * {@code tele|stat/<topic>/MARGINS} ({@code {"MARGINS": {"PowerLow": "ON"}}}: the event {@code power_low} raised, or
 * cleared by {@code OFF}), {@code stat/<topic>/POWER} and {@code stat/<topic>/RESULT} (the relay state after a
 * command); every other {@code tele/} and {@code stat/} message is taken without acting on it. Its
 * {@code SENSOR} telemetry is {@link TasmotaDecoder}'s.
 */
public final class TasmotaStatusDecoder extends JsonDecoder {

    public static final String FORMAT = "tasmota-status";

    public TasmotaStatusDecoder() {
        super(FORMAT, "Tasmota", "tele/{device}/{message}", "stat/{device}/{message}/#");
    }

    @Override
    public DeviceMessage decode(byte[] payload, DecodeContext context) throws DecodeException {
        String device = context.deviceRef();
        String topic = context.field("topic");
        String message = context.field("message");
        if (device == null || topic == null || message == null) {
            throw new DecodeException("Tasmota messages come on tele/<topic>/<message> or stat/<topic>/<message>");
        }
        if (topic.split("/", -1).length != 3) {
            return new DeviceMessage.Ignored(topic);
        }
        boolean stat = topic.startsWith("stat/");
        String text = new String(payload, StandardCharsets.UTF_8).trim();
        return switch (message) {
            case "MARGINS" -> margins(device, payload);
            case "LWT" ->
                stat
                        ? new DeviceMessage.Ignored(topic)
                        : new DeviceMessage.Connection(device, text.equalsIgnoreCase("Online"));
            case "POWER" -> stat ? relay(device, text, topic) : new DeviceMessage.Ignored(topic);
            case "RESULT" -> {
                if (!stat) {
                    yield new DeviceMessage.Ignored(topic);
                }
                JsonNode power = tree(payload).path("POWER");
                yield power.isMissingNode() ? new DeviceMessage.Ignored(topic) : relay(device, power.asText(), topic);
            }
            default -> new DeviceMessage.Ignored(topic);
        };
    }

    private DeviceMessage margins(String device, byte[] payload) throws DecodeException {
        JsonNode root = tree(payload);
        if (root == null || !root.isObject()) {
            throw new DecodeException("a Tasmota MARGINS message is a JSON object");
        }
        List<DeviceMessage.Event> events = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : root.path("MARGINS").properties()) {
            String type = e.getKey().replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
            events.add(new DeviceMessage.Event(type, e.getValue().asText().equalsIgnoreCase("ON"), null));
        }
        return new DeviceMessage.Events(device, events);
    }

    private static DeviceMessage relay(String device, String state, String topic) throws DecodeException {
        if (!state.equalsIgnoreCase("ON") && !state.equalsIgnoreCase("OFF")) {
            throw new DecodeException("relay state must be ON or OFF, was '" + state + "'");
        }
        return new DeviceMessage.RelayState(device, state.equalsIgnoreCase("ON"), topic);
    }
}
