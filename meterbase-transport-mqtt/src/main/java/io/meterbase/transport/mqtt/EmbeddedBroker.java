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
import org.jspecify.annotations.Nullable;
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
    private final int tlsPort;
    private final int websocketPort;
    private volatile long checkedAt;
    private volatile boolean lastListening;

    private EmbeddedBroker(EmbeddedHiveMQ hivemq, String host, int port, int tlsPort, int websocketPort) {
        this.hivemq = hivemq;
        this.host = host;
        this.port = port;
        this.tlsPort = tlsPort;
        this.websocketPort = websocketPort;
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
            int port = !settings.plain() ? -1 : settings.port() == 0 ? freePort() : settings.port();
            MqttSettings.Tls tls = settings.tls();
            int tlsPort = tls == null ? -1 : tls.port() == 0 ? freePort() : tls.port();
            int websocketPort = tls == null || tls.websocketPort() < 0
                    ? -1
                    : tls.websocketPort() == 0 ? freePort() : tls.websocketPort();
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
            Path config = conf.resolve("config.xml");
            if (Files.getFileStore(conf).supportsFileAttributeView("posix")) {
                // it holds the TLS keystore's password: readable by its owner only, before anything is written
                Files.deleteIfExists(config);
                Files.createFile(
                        config,
                        java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            }
            Files.writeString(config, """
                    <?xml version="1.0"?>
                    <hivemq>
                        <listeners>
                    %s
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
                            listeners(settings.host(), port, tls, tlsPort, websocketPort),
                            settings.maxPacketBytes(),
                            settings.inMemory() ? "in-memory" : "file"));
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
            EmbeddedBroker broker = new EmbeddedBroker(hivemq, settings.host(), port, tlsPort, websocketPort);
            if (!broker.listening()) {
                throw new IllegalStateException("it started but does not accept connections");
            }
            context.commands().addPush(new MqttCommandChannel(extension));
            context.alarms().subscribe(new MqttAlarmPublisher());
            LOG.info(
                    "MQTT broker listening on {}{}{}",
                    port < 0 ? "" : settings.host() + ":" + port,
                    tlsPort < 0 ? "" : (port < 0 ? "" : ", ") + "TLS " + settings.host() + ":" + tlsPort,
                    websocketPort < 0 ? "" : ", WebSocket over TLS " + settings.host() + ":" + websocketPort + "/mqtt");
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
            s.connect(new InetSocketAddress(probeHost, port >= 0 ? port : tlsPort), 1000);
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

    /** The plain TCP port, or -1 when it is off. */
    public int port() {
        return port;
    }

    /** The MQTT over TLS port, or -1 when it is off. */
    public int tlsPort() {
        return tlsPort;
    }

    /** The MQTT over WebSocket with TLS port (path {@code /mqtt}), or -1 when it is off. */
    public int websocketPort() {
        return websocketPort;
    }

    /** The listeners of the broker's configuration. */
    private static String listeners(
            String host, int port, MqttSettings.@Nullable Tls tls, int tlsPort, int websocketPort) {
        StringBuilder xml = new StringBuilder();
        if (port >= 0) {
            xml.append("<tcp-listener><port>")
                    .append(port)
                    .append("</port><bind-address>")
                    .append(xml(host))
                    .append("</bind-address></tcp-listener>");
        }
        if (tls != null) {
            String keystore = "<tls><keystore><path>"
                    + xml(tls.keystore().toAbsolutePath().toString())
                    + "</path><password>" + xml(tls.password()) + "</password><private-key-password>"
                    + xml(tls.password()) + "</private-key-password></keystore>"
                    + clientAuthentication(tls) + "</tls>";
            xml.append("<tls-tcp-listener><port>")
                    .append(tlsPort)
                    .append("</port><bind-address>")
                    .append(xml(host))
                    .append("</bind-address>")
                    .append(keystore)
                    .append("</tls-tcp-listener>");
            if (websocketPort >= 0) {
                xml.append("<tls-websocket-listener><port>")
                        .append(websocketPort)
                        .append("</port><bind-address>")
                        .append(xml(host))
                        .append("</bind-address><path>/mqtt</path><subprotocols><subprotocol>mqttv3.1</subprotocol>")
                        .append(
                                "<subprotocol>mqtt</subprotocol></subprotocols><allow-extensions>true</allow-extensions>")
                        .append(keystore)
                        .append("</tls-websocket-listener>");
            }
        }
        return xml.toString();
    }

    /** Client certificates asked for (and checked against the trust store) when the settings give one. */
    private static String clientAuthentication(MqttSettings.Tls tls) {
        java.nio.file.Path trust = tls.clientTrust();
        String password = tls.clientTrustPassword();
        if (trust == null || password == null) {
            return "<client-authentication-mode>NONE</client-authentication-mode>";
        }
        return "<truststore><path>" + xml(trust.toAbsolutePath().toString()) + "</path><password>" + xml(password)
                + "</password></truststore><client-authentication-mode>OPTIONAL</client-authentication-mode>";
    }

    /** Text escaped for an XML element. */
    private static String xml(String text) {
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;")
                .replace("'", "&apos;");
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
