package io.meterbase.transport.mqtt;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5Subscribe;
import io.meterbase.core.ingest.Intake;
import io.meterbase.core.ingest.IntakeResult;
import io.meterbase.core.ingest.Origin;
import io.meterbase.core.ingest.Via;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Meterbase as a client of an external broker (Mosquitto, EMQX, HiveMQ): it subscribes to the device topics with
 * MQTT 5 shared subscriptions ({@code $share/<group>/<filter>}), so the nodes of one installation share the
 * messages, and acknowledges each message to the broker only once its readings are durable (manual
 * acknowledgement). Its session outlives restarts, so the broker keeps what was not acknowledged. A message the
 * pipeline cannot take now is tried again until it can. The broker authenticates the devices; all readings belong
 * to one customer, the owner of the configured key.
 *
 * <p>A node that stops or dies keeps its session on the broker, and the broker keeps routing that node's share of
 * the messages to it (queued). So each node announces itself on {@code meterbase/nodes/<client id>/status}
 * (retained): {@code online} once connected; its will, {@code offline}, which the broker publishes once the node's
 * connection has closed, whether it stopped (it asks for its will as it disconnects) or its connection dropped
 * without a goodbye (kill -9, a crash, a lost network). A node that is stopping never reconnects. Another node takes over an offline
 * node's session (one node, the holder of the session's lease): it connects with that node's client id, without
 * a clean start, so the broker hands it the queued and unacknowledged messages and the node's share from then on,
 * until the node comes back and takes its session back.
 */
public final class ExternalBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ExternalBroker.class);
    private static final String STATUS_FILTER = "meterbase/nodes/+/status";
    private static final long SESSION_SECONDS = TimeUnit.DAYS.toSeconds(1);

    /** Which node takes over an offline node's session: one at a time, among all nodes. */
    public interface SessionLeases {

        /** Every node may take over every session (a node alone). */
        SessionLeases ANY = new SessionLeases() {
            @Override
            public boolean take(String clientId) {
                return true;
            }

            @Override
            public void release(String clientId) {}
        };

        /** Whether this node may take over the session of {@code clientId} now (and holds it until released). */
        boolean take(String clientId);

        void release(String clientId);
    }

    private final Mqtt5AsyncClient client;
    private final ExternalBrokerSettings settings;
    private final Intake intake;
    private final Origin origin;
    private final SessionLeases leases;
    /** The last status each node announced, by client id. */
    private final Map<String, String> statuses = new ConcurrentHashMap<>();
    /** The dialect each device or gateway speaks, by reference, as learned from the topics it published on. */
    private final Map<String, CommandMessages.Dialect> dialects = new ConcurrentHashMap<>();

    private final CommandMessages messages = new CommandMessages();
    /** The sessions of offline nodes this node has taken over, by their client id. */
    private final Map<String, Mqtt5AsyncClient> adopted = new ConcurrentHashMap<>();

    /** Set once {@link #close()} starts: no reconnection, no new takeover. */
    private final java.util.concurrent.atomic.AtomicBoolean closing;

    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "meterbase-mqtt-retry");
        t.setDaemon(true);
        return t;
    });

    private ExternalBroker(
            Mqtt5AsyncClient client,
            ExternalBrokerSettings settings,
            Intake intake,
            Origin origin,
            SessionLeases leases,
            java.util.concurrent.atomic.AtomicBoolean closing) {
        this.closing = closing;
        this.client = client;
        this.settings = settings;
        this.intake = intake;
        this.origin = origin;
        this.leases = leases;
    }

    /**
     * Connects and subscribes; fails with the broker's reason. Readings belong to the customer of the configured
     * key, and are limited as that key's.
     */
    public static ExternalBroker connect(ExternalBrokerSettings s, MqttContext context, long customerId, long keyId) {
        return connect(s, context, customerId, keyId, SessionLeases.ANY);
    }

    /** As {@link #connect(ExternalBrokerSettings, MqttContext, long, long)}, taking over offline nodes' sessions. */
    public static ExternalBroker connect(
            ExternalBrokerSettings s, MqttContext context, long customerId, long keyId, SessionLeases leases) {
        java.util.concurrent.atomic.AtomicReference<Mqtt5AsyncClient> self =
                new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean closing = new java.util.concurrent.atomic.AtomicBoolean();
        Mqtt5AsyncClient client = builder(s, s.clientId())
                .automaticReconnectWithDefaultConfig()
                .addDisconnectedListener(ctx -> {
                    // a node that is stopping never comes back: another node that took its session over while it was
                    // saying goodbye keeps it (a reconnection would take the session and its share to a closed node)
                    if (closing.get()) {
                        ctx.getReconnector().reconnect(false);
                    }
                })
                .addConnectedListener(ctx -> {
                    Mqtt5AsyncClient c = self.get();
                    if (c == null) {
                        return;
                    }
                    if (closing.get()) {
                        c.disconnectWith()
                                .reasonCode(Mqtt5DisconnectReasonCode.DISCONNECT_WITH_WILL_MESSAGE)
                                .send();
                        return;
                    }
                    // after a reconnection the broker may have published this node's will (offline): say it is back,
                    // or another node would keep taking its session
                    if (connections.incrementAndGet() > 1) {
                        c.publishWith()
                                .topic(statusTopic(s.clientId()))
                                .payload(ONLINE)
                                .qos(MqttQos.AT_LEAST_ONCE)
                                .retain(true)
                                .send();
                    }
                })
                .willPublish()
                .topic(statusTopic(s.clientId()))
                .payload(OFFLINE)
                .qos(MqttQos.AT_LEAST_ONCE)
                .retain(true)
                .applyWillPublish()
                .buildAsync();
        self.set(client);
        ExternalBroker broker = new ExternalBroker(
                client,
                s,
                context.intake(),
                new Origin("mqtt", s.url().getHost(), customerId, "key/" + keyId, "broker " + s.url()),
                leases,
                closing);
        // registered before connecting: a persistent session's queued and in-flight messages arrive right after the
        // broker accepts the connection, before any subscription is renewed, and a client with no callback for them
        // acknowledges and drops them (hivemq-mqtt-client issues 254 and 539)
        client.publishes(MqttGlobalPublishFilter.ALL, p -> broker.onMessage(client, p), true);
        try {
            client.connectWith()
                    .cleanStart(false)
                    .sessionExpiryInterval(SESSION_SECONDS)
                    .send()
                    .get(30, TimeUnit.SECONDS);
            for (String topic : s.topics()) {
                Mqtt5Subscribe sub = Mqtt5Subscribe.builder()
                        .topicFilter("$share/" + s.shareGroup() + "/" + topic)
                        .qos(MqttQos.AT_LEAST_ONCE)
                        .build();
                client.subscribe(sub).get(30, TimeUnit.SECONDS);
            }
            client.subscribeWith()
                    .topicFilter(STATUS_FILTER)
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .send()
                    .get(30, TimeUnit.SECONDS);
            broker.announce(ONLINE);
        } catch (Exception e) {
            broker.close();
            throw new IllegalStateException(
                    "could not connect to the MQTT broker " + s.url() + ": " + e.getMessage(), e);
        }
        context.commands().addPush(broker.commands());
        // a node whose taker died too is offline with no one on its session: looked at again every 10 s
        broker.retries.scheduleWithFixedDelay(broker::adoptOrphans, 10, 10, TimeUnit.SECONDS);
        LOG.info("Reading {} from {} in share group {} as {}", s.topics(), s.url(), s.shareGroup(), s.clientId());
        return broker;
    }

    private static final byte[] ONLINE = "online".getBytes(StandardCharsets.UTF_8);
    private static final byte[] OFFLINE = "offline".getBytes(StandardCharsets.UTF_8);

    static String statusTopic(String clientId) {
        return "meterbase/nodes/" + clientId + "/status";
    }

    private static Mqtt5ClientBuilder builder(ExternalBrokerSettings s, String clientId) {
        Mqtt5ClientBuilder b = Mqtt5Client.builder()
                .identifier(clientId)
                .serverHost(s.url().getHost())
                .serverPort(s.port());
        if (s.tls()) {
            b = b.sslWithDefaultConfig();
        }
        if (s.username() != null && !s.username().isBlank()) {
            b = b.simpleAuth()
                    .username(s.username())
                    .password(s.password() == null ? new byte[0] : s.password().getBytes(StandardCharsets.UTF_8))
                    .applySimpleAuth();
        }
        return b;
    }

    private void announce(byte[] status) throws Exception {
        client.publishWith()
                .topic(statusTopic(settings.clientId()))
                .payload(status)
                .qos(MqttQos.AT_LEAST_ONCE)
                .retain(true)
                .send()
                .get(10, TimeUnit.SECONDS);
    }

    private void onMessage(Mqtt5AsyncClient from, Mqtt5Publish publish) {
        String topic = publish.getTopic().toString();
        if (MqttCommandChannel.matches(STATUS_FILTER, topic)) {
            publish.acknowledge();
            onStatus(topic.split("/")[2], new String(publish.getPayloadAsBytes(), StandardCharsets.UTF_8));
            return;
        }
        learnDialect(topic);
        intake.submit(
                        origin.withDetail("broker " + from.getConfig().getServerHost() + " topic " + topic),
                        Via.topic(topic),
                        publish.getPayloadAsBytes(),
                        Map.of())
                .thenAccept(result -> {
                    if (result instanceof IntakeResult.NotStored refused) {
                        LOG.debug("Not stored yet, trying again in 1 s: {}", refused.reason());
                        if (!retries.isShutdown()) {
                            retries.schedule(() -> onMessage(from, publish), 1, TimeUnit.SECONDS);
                        }
                    } else {
                        publish.acknowledge(); // stored, taken, or refused and quarantined with its reason
                    }
                });
    }

    /** Remembers which dialect a device speaks from a topic it published on. */
    private void learnDialect(String topic) {
        String[] t = topic.split("/");
        if (t.length >= 3 && (t[0].equals("tele") || t[0].equals("stat"))) {
            dialects.put(t[1], CommandMessages.Dialect.TASMOTA);
        } else if (t.length == 3 && t[0].equals("meterbase") && t[2].equals("up")) {
            dialects.put(t[1], CommandMessages.Dialect.NATIVE);
        } else if (t.length >= 2 && (t[1].equals("status") || t[1].equals("events"))) {
            dialects.put(t[0], CommandMessages.Dialect.SHELLY);
        }
    }

    /**
     * Commands to the external broker's devices, published in the dialect each device was seen speaking on this
     * node. A device not seen here yet is not reached from here: its command stays queued and the node that has
     * seen it (every node gets a share of each device's messages) sends it. Devices answer on the topics this node
     * subscribes to ({@code meterbase/+/ack}, {@code stat/+/POWER}, {@code stat/+/RESULT}, {@code
     * +/meterbase/+/rpc}). A device away from the broker gets its command when it reconnects only if it keeps a
     * persistent session; otherwise the command expires unconfirmed.
     */
    public io.meterbase.core.device.CommandPush commands() {
        return new io.meterbase.core.device.CommandPush() {
            @Override
            public String name() {
                return "mqtt-external";
            }

            @Override
            public boolean reaches(io.meterbase.core.device.OutboundCommand c) {
                return target(c) != null;
            }

            @Override
            public boolean offer(io.meterbase.core.device.OutboundCommand c) {
                Map.Entry<String, CommandMessages.Dialect> to = target(c);
                if (to == null || !client.getState().isConnected()) {
                    return false;
                }
                CommandMessages.Message m = messages.of(c, to.getKey(), to.getValue());
                try {
                    client.publishWith()
                            .topic(m.topic())
                            .payload(m.payload().getBytes(StandardCharsets.UTF_8))
                            .qos(MqttQos.AT_LEAST_ONCE)
                            .send()
                            .get(10, TimeUnit.SECONDS);
                    return true;
                } catch (Exception e) {
                    LOG.warn("Command {} not published to the broker: {}", c.id(), e.toString());
                    return false;
                }
            }
        };
    }

    private Map.@org.jspecify.annotations.Nullable Entry<String, CommandMessages.Dialect> target(
            io.meterbase.core.device.OutboundCommand c) {
        CommandMessages.Dialect device = dialects.get(c.deviceRef());
        if (device != null) {
            return Map.entry(c.deviceRef(), device);
        }
        String gateway = c.gatewayRef();
        if (gateway != null && dialects.get(gateway) == CommandMessages.Dialect.NATIVE) {
            return Map.entry(gateway, CommandMessages.Dialect.NATIVE);
        }
        return null;
    }

    private void onStatus(String node, String status) {
        if (node.equals(settings.clientId())) {
            return;
        }
        statuses.put(node, status);
        if (status.equals("online")) {
            giveBack(node);
        } else if (!closing.get() && !retries.isShutdown()) {
            retries.execute(() -> adopt(node));
        }
    }

    private void adoptOrphans() {
        statuses.forEach((node, status) -> {
            if (status.equals("offline") && !adopted.containsKey(node)) {
                adopt(node);
            }
        });
    }

    /** Takes over an offline node's session, if no other node has (the lease) and it is still offline. */
    private void adopt(String node) {
        if (closing.get() || adopted.containsKey(node) || !"offline".equals(statuses.get(node)) || !leases.take(node)) {
            return;
        }
        Mqtt5AsyncClient taker = builder(settings, node)
                .addDisconnectedListener(ctx -> {
                    // the node came back and took its session (or the broker went away): its share is its own again
                    if (adopted.remove(node) != null) {
                        leases.release(node);
                        LOG.info(
                                "Gave the MQTT session of {} back: {}",
                                node,
                                ctx.getCause().getMessage());
                    }
                })
                .buildAsync();
        taker.publishes(MqttGlobalPublishFilter.ALL, p -> onMessage(taker, p), true);
        adopted.put(node, taker);
        try {
            taker.connectWith()
                    .cleanStart(false)
                    .sessionExpiryInterval(SESSION_SECONDS)
                    .send()
                    .get(30, TimeUnit.SECONDS);
            LOG.info("Took over the MQTT session of {}, which is offline: its messages are stored here", node);
            if ("online".equals(statuses.get(node))) {
                giveBack(node); // it came back while this node was connecting
            }
        } catch (Exception e) {
            adopted.remove(node, taker);
            leases.release(node);
            LOG.warn("Could not take over the MQTT session of {}: {}", node, e.toString());
        }
    }

    private void giveBack(String node) {
        Mqtt5AsyncClient taker = adopted.remove(node);
        if (taker != null) {
            leases.release(node);
            taker.disconnect();
        }
    }

    /** The client ids of the offline nodes whose sessions this node has taken over. */
    public java.util.Set<String> adoptedSessions() {
        return java.util.Set.copyOf(adopted.keySet());
    }

    /**
     * Says that this node is going ({@code offline}, so that another node takes its session over while it is away),
     * gives back the sessions it took over, and disconnects.
     */
    @Override
    public void close() {
        closing.set(true);
        retries.shutdownNow();
        for (String node : java.util.List.copyOf(adopted.keySet())) {
            giveBack(node);
        }
        try {
            // the broker publishes the will (offline, retained) once the connection is closed, not before: another
            // node that takes the session over on that news cannot find this one still connected to it
            client.disconnectWith()
                    .reasonCode(Mqtt5DisconnectReasonCode.DISCONNECT_WITH_WILL_MESSAGE)
                    .send()
                    .get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.debug("Disconnecting from the broker: {}", e.toString());
        }
    }
}
