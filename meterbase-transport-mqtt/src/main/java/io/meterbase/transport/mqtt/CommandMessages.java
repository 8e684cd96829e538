package io.meterbase.transport.mqtt;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.meterbase.core.device.OutboundCommand;
import io.meterbase.core.device.UnsupportedCommandException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A command as the MQTT message a device understands, in its dialect: Tasmota ({@code cmnd/<t>/POWER
 * ON|OFF|TOGGLE}, {@code cmnd/<t>/TelePeriod}), Shelly Gen2 ({@code <id>/rpc} with {@code Switch.Set} /
 * {@code Switch.Toggle}, answered on {@code <id>/meterbase/<command>/rpc}) or Meterbase's native {@code
 * meterbase/<ref>/down} (the command's JSON, answered on {@code meterbase/<ref>/ack}). Shared by the embedded
 * broker's and the external broker's command channels.
 */
final class CommandMessages {

    /** The dialects, as told by the topics a device publishes or subscribes to. */
    enum Dialect {
        TASMOTA,
        SHELLY,
        NATIVE
    }

    /** One message to publish. */
    record Message(String topic, String payload) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RELAY_ON = "relay_on";
    private static final String RELAY_OFF = "relay_off";
    private static final String RELAY_TOGGLE = "relay_toggle";
    private static final String SET_INTERVAL = "set_interval";

    private final Map<String, Integer> rpcIds = new ConcurrentHashMap<>();

    /**
     * The message of a command for {@code user} (the device's topic, Shelly id, or native reference).
     *
     * @throws UnsupportedCommandException when the dialect cannot express the command
     */
    Message of(OutboundCommand c, String user, Dialect dialect) {
        return switch (dialect) {
            case TASMOTA -> tasmota(c, user);
            case SHELLY -> shelly(c, user);
            case NATIVE -> new Message("meterbase/" + user + "/down", write(c.wire()));
        };
    }

    private static Message tasmota(OutboundCommand c, String topic) {
        return switch (c.type()) {
            case RELAY_ON -> new Message("cmnd/" + topic + "/POWER", "ON");
            case RELAY_OFF -> new Message("cmnd/" + topic + "/POWER", "OFF");
            case RELAY_TOGGLE -> new Message("cmnd/" + topic + "/POWER", "TOGGLE");
            case SET_INTERVAL ->
                new Message(
                        "cmnd/" + topic + "/TelePeriod",
                        String.valueOf(((Number) java.util.Objects.requireNonNull(
                                        c.params().get("seconds"), "set_interval is made with params.seconds"))
                                .intValue()));
            default ->
                throw new UnsupportedCommandException("a Tasmota device takes relay and interval commands, not "
                        + c.type() + (c.signed() ? " (it cannot verify signed commands)" : ""));
        };
    }

    private Message shelly(OutboundCommand c, String prefix) {
        Map<String, Object> rpc = new LinkedHashMap<>();
        rpc.put("id", rpcIds.merge(prefix, 1, Integer::sum));
        rpc.put("src", prefix + "/meterbase/" + c.id());
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("id", 0);
        if (c.type().equals(RELAY_TOGGLE)) {
            rpc.put("method", "Switch.Toggle");
        } else if (c.type().equals(RELAY_ON) || c.type().equals(RELAY_OFF)) {
            rpc.put("method", "Switch.Set");
            params.put("on", c.type().equals(RELAY_ON));
        } else {
            throw new UnsupportedCommandException("a Shelly takes relay commands, not " + c.type());
        }
        rpc.put("params", params);
        return new Message(prefix + "/rpc", write(rpc));
    }

    private static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
