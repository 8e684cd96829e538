package io.meterbase.transport.mqtt;

import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.embedded.EmbeddedHiveMQ;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded MQTT broker (HiveMQ Community Edition, MQTT 3.1.1 and 5) with Meterbase's extension. Its
 * configuration is written from the settings at each start into {@code <data>/conf}; sessions and queued
 * messages live in {@code <data>/data}. Anonymous clients are refused by the extension.
 */
public final class EmbeddedBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);

    private final EmbeddedHiveMQ hivemq;
    private final int port;

    private EmbeddedBroker(EmbeddedHiveMQ hivemq, int port) {
        this.hivemq = hivemq;
        this.port = port;
    }

    public static EmbeddedBroker start(MqttSettings settings, MqttContext context) {
        try {
            int port = settings.port() == 0 ? freePort() : settings.port();
            MeterbaseMqttExtension extension = new MeterbaseMqttExtension(context);
            Path conf = Files.createDirectories(settings.dataDir().resolve("conf"));
            Path data = Files.createDirectories(settings.dataDir().resolve("data"));
            Path extensions = Files.createDirectories(settings.dataDir().resolve("extensions"));
            Files.writeString(conf.resolve("config.xml"), """
                    <?xml version="1.0"?>
                    <hivemq>
                        <listeners>
                            <tcp-listener>
                                <port>%d</port>
                                <bind-address>%s</bind-address>
                            </tcp-listener>
                        </listeners>
                        <anonymous-usage-statistics>
                            <enabled>false</enabled>
                        </anonymous-usage-statistics>
                    </hivemq>
                    """.formatted(port, settings.host()));
            EmbeddedHiveMQ hivemq = EmbeddedHiveMQ.builder()
                    .withConfigurationFolder(conf)
                    .withDataFolder(data)
                    .withExtensionsFolder(extensions)
                    .withoutLoggingBootstrap()
                    .withEmbeddedExtension(EmbeddedExtension.builder()
                            .withId("meterbase")
                            .withName("Meterbase")
                            .withVersion("1")
                            .withPriority(1000)
                            .withStartPriority(1000)
                            .withExtensionMain(extension)
                            .build())
                    .build();
            hivemq.start().get(60, TimeUnit.SECONDS);
            context.commands().addChannel(new MqttCommandChannel(extension));
            context.alarms().addListener(new MqttAlarmPublisher());
            LOG.info("MQTT broker listening on {}:{}", settings.host(), port);
            return new EmbeddedBroker(hivemq, port);
        } catch (Exception e) {
            throw new IllegalStateException(
                    "could not start the MQTT broker on " + settings.host() + ":" + settings.port() + ": "
                            + e.getMessage(),
                    e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        try {
            hivemq.stop().get(30, TimeUnit.SECONDS);
            hivemq.close();
        } catch (Exception e) {
            LOG.warn("Stopping the MQTT broker: {}", e.toString());
        }
    }
}
