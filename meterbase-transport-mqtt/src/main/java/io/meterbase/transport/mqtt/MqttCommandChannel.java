package io.meterbase.transport.mqtt;

import com.hivemq.extension.sdk.api.packets.general.Qos;
import com.hivemq.extension.sdk.api.services.Services;
import com.hivemq.extension.sdk.api.services.builder.Builders;
import com.hivemq.extension.sdk.api.services.publish.PublishToClientResult;
import com.hivemq.extension.sdk.api.services.subscription.TopicSubscription;
import io.meterbase.core.device.CommandPush;
import io.meterbase.core.device.OutboundCommand;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
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

    private final MeterbaseMqttExtension extension;
    private final CommandMessages messages = new CommandMessages();

    MqttCommandChannel(MeterbaseMqttExtension extension) {
        this.extension = extension;
    }

    @Override
    public String name() {
        return "mqtt";
    }

    @Override
    public boolean reaches(OutboundCommand c) {
        return target(c).isPresent();
    }

    @Override
    public boolean offer(OutboundCommand c) {
        Optional<Target> to = target(c);
        if (to.isEmpty()) {
            return false;
        }
        CommandMessages.Message m = messages.of(c, to.get().user(), to.get().dialect());
        return publish(to.get().clientId(), m.topic(), m.payload());
    }

    /** The connected client a command goes to: its id, its user (device or gateway) and its dialect. */
    private record Target(String clientId, String user, CommandMessages.Dialect dialect) {}

    /** The client (device or gateway) connected here that listens for the command, and in which dialect. */
    private Optional<Target> target(OutboundCommand c) {
        for (String user : new String[] {c.deviceRef(), c.gatewayRef()}) {
            if (user == null) {
                continue;
            }
            Optional<String> client = extension.clientOf(c.customerId(), user);
            if (client.isEmpty()) {
                continue;
            }
            if (user.equals(c.deviceRef()) && subscribed(client.get(), "cmnd/" + user + "/POWER")) {
                return Optional.of(new Target(client.get(), user, CommandMessages.Dialect.TASMOTA));
            }
            if (user.equals(c.deviceRef()) && subscribed(client.get(), user + "/rpc")) {
                return Optional.of(new Target(client.get(), user, CommandMessages.Dialect.SHELLY));
            }
            if (subscribed(client.get(), "meterbase/" + user + "/down")) {
                return Optional.of(new Target(client.get(), user, CommandMessages.Dialect.NATIVE));
            }
        }
        return Optional.empty();
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

    /**
     * Sends the command to that one client (never to the topic at large: another customer's client may use the same
     * username, and so subscribe to the same topic); false when it did not take it.
     */
    private static boolean publish(String clientId, String topic, String payload) {
        PublishToClientResult result = Services.publishService()
                .publishToClient(
                        Builders.publish()
                                .topic(topic)
                                .qos(Qos.AT_LEAST_ONCE)
                                .payload(ByteBuffer.wrap(payload.getBytes(StandardCharsets.UTF_8)))
                                .build(),
                        clientId)
                .join();
        return result == PublishToClientResult.SUCCESSFUL;
    }
}
