package io.meterbase.transport.mqtt;

import com.hivemq.configuration.service.InternalConfigurations;
import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.embedded.EmbeddedHiveMQ;
import com.hivemq.migration.meta.PersistenceType;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded MQTT broker (HiveMQ Community Edition, MQTT 3.1.1 and 5) with Meterbase's extension. Its
 * configuration is written from the settings at each start into {@code <data>/conf}; sessions and queued
 * messages live in {@code <data>/store} (or in memory). Packets over the configured size close the connection
 * before they are read. Anonymous clients are refused by the extension.
 */
public final class EmbeddedBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);

    private final EmbeddedHiveMQ hivemq;
    private final String host;
    private final int port;
    private volatile long checkedAt;
    private volatile boolean lastListening;

    private EmbeddedBroker(EmbeddedHiveMQ hivemq, String host, int port) {
        this.hivemq = hivemq;
        this.host = host;
        this.port = port;
    }

    /**
     * Starts the broker and checks that it listens; fails (and stops what started) when it does not.
     *
     * <p>Its store is HiveMQ's file persistence (Xodus) in 4 buckets: HiveMQ's default (RocksDB in 64 buckets)
     * reserves about 4 MiB per bucket at start and a write buffer of RAM/2048 per bucket once written, 0.5 to 2 GB
     * on a small volume (measured). These settings are HiveMQ's internal, JVM-wide defaults.
     */
    public static EmbeddedBroker start(MqttSettings settings, MqttContext context) {
        EmbeddedHiveMQ hivemq = null;
        try {
            int port = settings.port() == 0 ? freePort() : settings.port();
            MeterbaseMqttExtension extension = new MeterbaseMqttExtension(context);
            Path conf = Files.createDirectories(settings.dataDir().resolve("conf"));
            Path data = Files.createDirectories(settings.dataDir().resolve("store"));
            if (Files.isDirectory(settings.dataDir().resolve("data"))) {
                LOG.info(
                        "{} holds the broker store of an earlier version (its RocksDB files can take gigabytes); it is"
                                + " no longer used and can be removed",
                        settings.dataDir().resolve("data"));
            }
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
                        <mqtt>
                            <packets>
                                <max-packet-size>%d</max-packet-size>
                            </packets>
                        </mqtt>
                        <restrictions>
                            <max-client-id-length>256</max-client-id-length>
                            <max-topic-length>1024</max-topic-length>
                            <no-connect-idle-timeout>10000</no-connect-idle-timeout>
                        </restrictions>
                        <persistence>
                            <mode>%s</mode>
                        </persistence>
                        <anonymous-usage-statistics>
                            <enabled>false</enabled>
                        </anonymous-usage-statistics>
                    </hivemq>
                    """.formatted(
                    port, settings.host(), settings.maxPacketBytes(), settings.inMemory() ? "in-memory" : "file"));
            InternalConfigurations.PAYLOAD_PERSISTENCE_TYPE.set(PersistenceType.FILE);
            InternalConfigurations.RETAINED_MESSAGE_PERSISTENCE_TYPE.set(PersistenceType.FILE);
            InternalConfigurations.PERSISTENCE_BUCKET_COUNT.set(4);
            InternalConfigurations.PAYLOAD_PERSISTENCE_BUCKET_COUNT.set(4);
            hivemq = EmbeddedHiveMQ.builder()
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
            EmbeddedBroker broker = new EmbeddedBroker(hivemq, settings.host(), port);
            if (!broker.listening()) {
                throw new IllegalStateException("it started but does not accept connections");
            }
            context.commands().addPush(new MqttCommandChannel(extension));
            context.alarms().subscribe(new MqttAlarmPublisher());
            LOG.info("MQTT broker listening on {}:{}", settings.host(), port);
            return broker;
        } catch (Exception e) {
            if (hivemq != null) {
                stop(hivemq);
            }
            Throwable cause =
                    e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException(
                    "could not start the MQTT broker on " + settings.host() + ":" + settings.port() + ": "
                            + cause.getMessage(),
                    e);
        }
    }

    /**
     * Whether the broker accepts connections on its port now (checked by connecting, at most every 5 s; a health
     * check calls it).
     */
    public boolean listening() {
        long now = System.nanoTime();
        if (now - checkedAt < 5_000_000_000L && checkedAt != 0) {
            return lastListening;
        }
        String probeHost = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(probeHost, port), 1000);
            lastListening = true;
        } catch (IOException e) {
            lastListening = false;
        }
        checkedAt = now;
        return lastListening;
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
        stop(hivemq);
    }

    private static void stop(EmbeddedHiveMQ hivemq) {
        try {
            hivemq.stop().get(30, TimeUnit.SECONDS);
            hivemq.close();
        } catch (Exception e) {
            LOG.warn("Stopping the MQTT broker: {}", e.toString());
        }
    }
}
