package io.meterbase.transport.mqtt;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5Subscribe;
import io.meterbase.core.ingest.Intake;
import io.meterbase.core.ingest.IntakeResult;
import io.meterbase.core.ingest.Origin;
import io.meterbase.core.ingest.Via;
import java.nio.charset.StandardCharsets;
import java.util.Map;
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
 */
public final class ExternalBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ExternalBroker.class);

    private final Mqtt5AsyncClient client;
    private final Intake intake;
    private final Origin origin;
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "meterbase-mqtt-retry");
        t.setDaemon(true);
        return t;
    });

    private ExternalBroker(Mqtt5AsyncClient client, Intake intake, Origin origin) {
        this.client = client;
        this.intake = intake;
        this.origin = origin;
    }

    /**
     * Connects and subscribes; fails with the broker's reason. Readings belong to the customer of the configured
     * key, and are limited as that key's.
     */
    public static ExternalBroker connect(ExternalBrokerSettings s, MqttContext context, long customerId, long keyId) {
        Mqtt5ClientBuilder b = Mqtt5Client.builder()
                .identifier(s.clientId())
                .serverHost(s.url().getHost())
                .serverPort(s.port())
                .automaticReconnectWithDefaultConfig();
        if (s.tls()) {
            b = b.sslWithDefaultConfig();
        }
        if (s.username() != null && !s.username().isBlank()) {
            b = b.simpleAuth()
                    .username(s.username())
                    .password(s.password() == null ? new byte[0] : s.password().getBytes(StandardCharsets.UTF_8))
                    .applySimpleAuth();
        }
        Mqtt5AsyncClient client = b.buildAsync();
        ExternalBroker broker = new ExternalBroker(
                client,
                context.intake(),
                new Origin("mqtt", s.url().getHost(), customerId, "key/" + keyId, "broker " + s.url()));
        // registered before connecting: a persistent session's queued and in-flight messages arrive right after the
        // broker accepts the connection, before any subscription is renewed, and a client with no callback for them
        // acknowledges and drops them (hivemq-mqtt-client issues 254 and 539)
        client.publishes(MqttGlobalPublishFilter.ALL, broker::onMessage, true);
        try {
            client.connectWith()
                    .cleanStart(false)
                    .sessionExpiryInterval(TimeUnit.DAYS.toSeconds(1))
                    .send()
                    .get(30, TimeUnit.SECONDS);
            for (String topic : s.topics()) {
                Mqtt5Subscribe sub = Mqtt5Subscribe.builder()
                        .topicFilter("$share/" + s.shareGroup() + "/" + topic)
                        .qos(MqttQos.AT_LEAST_ONCE)
                        .build();
                client.subscribe(sub).get(30, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            broker.close();
            throw new IllegalStateException(
                    "could not connect to the MQTT broker " + s.url() + ": " + e.getMessage(), e);
        }
        LOG.info("Reading {} from {} in share group {}", s.topics(), s.url(), s.shareGroup());
        return broker;
    }

    private void onMessage(Mqtt5Publish publish) {
        String topic = publish.getTopic().toString();
        intake.submit(
                        origin.withDetail("broker " + client.getConfig().getServerHost() + " topic " + topic),
                        Via.topic(topic),
                        publish.getPayloadAsBytes(),
                        Map.of())
                .thenAccept(result -> {
                    if (result instanceof IntakeResult.NotStored refused) {
                        LOG.debug("Not stored yet, trying again in 1 s: {}", refused.reason());
                        retries.schedule(() -> onMessage(publish), 1, TimeUnit.SECONDS);
                    } else {
                        publish.acknowledge(); // stored, taken, or refused and quarantined with its reason
                    }
                });
    }

    @Override
    public void close() {
        retries.shutdownNow();
        try {
            client.disconnect().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.debug("Disconnecting from the broker: {}", e.toString());
        }
    }
}
