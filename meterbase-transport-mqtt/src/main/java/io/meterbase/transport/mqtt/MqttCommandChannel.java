package io.meterbase.transport.mqtt;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.hivemq.extension.sdk.api.packets.general.Qos;
import com.hivemq.extension.sdk.api.services.Services;
import com.hivemq.extension.sdk.api.services.builder.Builders;
import com.hivemq.extension.sdk.api.services.subscription.TopicSubscription;
import io.meterbase.core.device.CommandPush;
import io.meterbase.core.device.OutboundCommand;
import io.meterbase.core.device.UnsupportedCommandException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Commands to devices connected to the embedded broker, in the device's own dialect, chosen by the command topic
 * it subscribed to: Tasmota ({@code cmnd/<t>/POWER ON|OFF|TOGGLE}, {@code cmnd/<t>/TelePeriod}), Shelly Gen2
 * ({@code <id>/rpc} with {@code Switch.Set} / {@code Switch.Toggle}; the answer comes back on
 * {@code <id>/meterbase/<command>/rpc}) or Meterbase's native {@code meterbase/<ref>/down} (the command's JSON,
 * answered on {@code meterbase/<ref>/ack}). A device that is not connected and subscribed keeps its commands
 * queued.
 */
final class MqttCommandChannel implements CommandPush {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final MeterbaseMqttExtension extension;
    private final Map<String, Integer> rpcIds = new ConcurrentHashMap<>();

    MqttCommandChannel(MeterbaseMqttExtension extension) {
        this.extension = extension;
    }

    @Override
    public String name() {
        return "mqtt";
    }

    @Override
    public boolean offer(OutboundCommand c) {
        for (String user : new String[] {c.deviceRef(), c.gatewayRef()}) {
            if (user == null) {
                continue;
            }
            Optional<String> client = extension.clientOf(c.customerId(), user);
            if (client.isEmpty()) {
                continue;
            }
            String native_ = "meterbase/" + user + "/down";
            if (user.equals(c.deviceRef()) && subscribed(client.get(), "cmnd/" + user + "/POWER")) {
                tasmota(c, user);
                return true;
            }
            if (user.equals(c.deviceRef()) && subscribed(client.get(), user + "/rpc")) {
                shelly(c, user);
                return true;
            }
            if (subscribed(client.get(), native_)) {
                publish(native_, write(c.wire()));
                return true;
            }
        }
        return false;
    }

    /** Whether the client has a subscription whose filter matches {@code topic}. */
    private static boolean subscribed(String clientId, String topic) {
        try {
            Set<TopicSubscription> subscriptions =
                    Services.subscriptionStore().getSubscriptions(clientId).get(5, TimeUnit.SECONDS);
            return subscriptions.stream().anyMatch(s -> matches(s.getTopicFilter(), topic));
        } catch (Exception e) {
            return false;
        }
    }

    /** MQTT topic filter matching: {@code +} is one level, a final {@code #} any number of levels. */
    static boolean matches(String filter, String topic) {
        String[] f = filter.split("/", -1);
        String[] t = topic.split("/", -1);
        for (int i = 0; i < f.length; i++) {
            if (f[i].equals("#")) {
                return true;
            }
            if (i >= t.length || (!f[i].equals("+") && !f[i].equals(t[i]))) {
                return false;
            }
        }
        return f.length == t.length;
    }

    private void tasmota(OutboundCommand c, String topic) {
        switch (c.type()) {
            case RELAY_ON -> publish("cmnd/" + topic + "/POWER", "ON");
            case RELAY_OFF -> publish("cmnd/" + topic + "/POWER", "OFF");
            case RELAY_TOGGLE -> publish("cmnd/" + topic + "/POWER", "TOGGLE");
            case SET_INTERVAL ->
                publish(
                        "cmnd/" + topic + "/TelePeriod",
                        String.valueOf(((Number) java.util.Objects.requireNonNull(
                                        c.params().get("seconds"), "set_interval is made with params.seconds"))
                                .intValue()));
            default ->
                throw new UnsupportedCommandException("a Tasmota device takes relay and interval commands, not "
                        + c.type() + (c.signed() ? " (it cannot verify signed commands)" : ""));
        }
    }

    private static final String RELAY_ON = "relay_on";
    private static final String RELAY_OFF = "relay_off";
    private static final String RELAY_TOGGLE = "relay_toggle";
    private static final String SET_INTERVAL = "set_interval";

    private void shelly(OutboundCommand c, String prefix) {
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
        publish(prefix + "/rpc", write(rpc));
    }

    private static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void publish(String topic, String payload) {
        Services.publishService()
                .publish(Builders.publish()
                        .topic(topic)
                        .qos(Qos.AT_LEAST_ONCE)
                        .payload(ByteBuffer.wrap(payload.getBytes(StandardCharsets.UTF_8)))
                        .build())
                .join();
    }
}
