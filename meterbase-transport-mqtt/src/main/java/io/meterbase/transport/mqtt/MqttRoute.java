package io.meterbase.transport.mqtt;

import java.util.Optional;

/**
 * What a topic means: which payload format it carries and for which device, or a presence message (Tasmota's
 * last will), or a message Meterbase takes without storing (relay state, handled by command delivery).
 */
public record MqttRoute(Kind kind, String format, String deviceRef, String key) {

    /** The kinds of topic. */
    public enum Kind {
        READINGS,
        /** emonhub's {@code emon/<node>/<key>}: one named value. */
        EMONCMS_VALUE,
        /** emonhub's {@code emon/<node>}: a JSON object of named values. */
        EMONCMS_OBJECT,
        PRESENCE,
        /** Tasmota's {@code stat/<topic>/POWER} or {@code stat/<topic>/RESULT}: the relay state after a command. */
        RELAY_STATE,
        /** A Shelly's answer to a command, on {@code <id>/meterbase/<command>/rpc}; {@code key} is the command. */
        RPC_RESPONSE,
        /** A native device's or gateway's answer to a command, on {@code meterbase/<ref>/ack}. */
        COMMAND_ACK,
        /** A device event: Tasmota's {@code tele|stat/<topic>/MARGINS}, or native {@code meterbase/<ref>/event}. */
        DEVICE_EVENT,
        IGNORED
    }

    /**
     * The route of a topic, or empty for a topic no scheme knows:
     * <ul>
     *   <li>{@code meterbase/<ref>/up}: Meterbase JSON, or SenML JSON when the payload is an array;
     *   <li>{@code meterbase/<ref>/ack}: a native device's answer to a command;
     *   <li>{@code tele/<topic>/SENSOR} Tasmota, {@code tele/<topic>/LWT} presence, {@code stat/<topic>/POWER} and
     *       {@code stat/<topic>/RESULT} relay state, other {@code tele/} and {@code stat/} topics taken without storing;
     *   <li>{@code <prefix>/meterbase/<command>/rpc}: a Shelly's answer to a command;
     *   <li>{@code <prefix>/status/switch:N} and {@code <prefix>/events/rpc}: Shelly Gen2;
     *   <li>{@code emon/<node>/<key>} and {@code emon/<node>}: emonhub.
     * </ul>
     */
    public static Optional<MqttRoute> of(String topic, byte[] payload) {
        String[] p = topic.split("/", -1);
        if (p.length == 3 && (p[0].equals("tele") || p[0].equals("stat")) && p[2].equals("MARGINS")) {
            return Optional.of(new MqttRoute(Kind.DEVICE_EVENT, "tasmota", p[1], null));
        }
        if (p.length == 3 && p[0].equals("meterbase") && p[2].equals("up")) {
            boolean senml = payload.length > 0 && firstNonSpace(payload) == '[';
            return Optional.of(new MqttRoute(Kind.READINGS, senml ? "senml-json" : "meterbase-json", p[1], null));
        }
        if (p.length == 3 && p[0].equals("tele")) {
            return switch (p[2]) {
                case "SENSOR" -> Optional.of(new MqttRoute(Kind.READINGS, "tasmota", p[1], null));
                case "LWT" -> Optional.of(new MqttRoute(Kind.PRESENCE, null, p[1], null));
                default -> Optional.of(new MqttRoute(Kind.IGNORED, null, p[1], null));
            };
        }
        if (p.length == 3 && p[0].equals("meterbase") && p[2].equals("event")) {
            return Optional.of(new MqttRoute(Kind.DEVICE_EVENT, "meterbase", p[1], null));
        }
        if (p.length == 3 && p[0].equals("meterbase") && p[2].equals("ack")) {
            return Optional.of(new MqttRoute(Kind.COMMAND_ACK, null, p[1], null));
        }
        if (p.length == 3 && p[0].equals("stat") && (p[2].equals("POWER") || p[2].equals("RESULT"))) {
            return Optional.of(new MqttRoute(Kind.RELAY_STATE, null, p[1], p[2]));
        }
        if (p.length >= 3 && p[0].equals("stat")) {
            return Optional.of(new MqttRoute(Kind.IGNORED, null, p[1], null));
        }
        if (p.length == 4 && p[1].equals("meterbase") && p[3].equals("rpc")) {
            return Optional.of(new MqttRoute(Kind.RPC_RESPONSE, null, p[0], p[2]));
        }
        if (p.length == 3 && p[1].equals("status") && p[2].startsWith("switch:")) {
            return Optional.of(new MqttRoute(Kind.READINGS, "shelly-gen2", p[0], null));
        }
        if (p.length == 3 && p[1].equals("events") && p[2].equals("rpc")) {
            return Optional.of(new MqttRoute(Kind.READINGS, "shelly-gen2", p[0], null));
        }
        if (p.length == 3 && p[0].equals("emon")) {
            return Optional.of(new MqttRoute(Kind.EMONCMS_VALUE, null, p[1], p[2]));
        }
        if (p.length == 2 && p[0].equals("emon")) {
            return Optional.of(new MqttRoute(Kind.EMONCMS_OBJECT, null, p[1], null));
        }
        return Optional.empty();
    }

    private static int firstNonSpace(byte[] payload) {
        for (byte b : payload) {
            if (!Character.isWhitespace(b)) {
                return b;
            }
        }
        return -1;
    }

    /** The topic filters a client named {@code user} may publish to. */
    static String[] publishFilters(String user) {
        return new String[] {
            "meterbase/" + user + "/up",
            "meterbase/" + user + "/ack",
            "meterbase/" + user + "/event",
            "tele/" + user + "/#",
            "stat/" + user + "/#",
            user + "/status/#",
            user + "/events/#",
            user + "/meterbase/#",
            "emon/#"
        };
    }

    /** Whether a client named {@code user} may publish on {@code topic}. */
    static boolean mayPublish(String user, String topic) {
        for (String filter : publishFilters(user)) {
            if (filter.endsWith("/#")
                    ? topic.startsWith(filter.substring(0, filter.length() - 1))
                            || topic.equals(filter.substring(0, filter.length() - 2))
                    : topic.equals(filter)) {
                return true;
            }
        }
        return false;
    }

    /** The topic filters a client named {@code user} may subscribe to: its own command topics. */
    static String[] subscribeFilters(String user) {
        return new String[] {"meterbase/" + user + "/down", "cmnd/" + user + "/#", user + "/rpc"};
    }
}
