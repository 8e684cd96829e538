package io.meterbase.transport.coap;

import java.net.InetSocketAddress;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CoAP server (Eclipse Californium): plain UDP for discovery, DTLS (Scandium) with per-device pre-shared
 * keys for uploads. Configuration is built in code, so Californium writes no properties file.
 */
public final class CoapTransport implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CoapTransport.class);

    static {
        CoapConfig.register();
        UdpConfig.register();
        DtlsConfig.register();
    }

    private final CoapServer server;
    private final CoapEndpoint udp;
    private final CoapEndpoint dtls;

    private CoapTransport(CoapServer server, CoapEndpoint udp, CoapEndpoint dtls) {
        this.server = server;
        this.udp = udp;
        this.dtls = dtls;
    }

    public static CoapTransport start(CoapSettings settings, CoapContext context) {
        Configuration config = Configuration.createStandardWithoutFile();
        config.set(DtlsConfig.DTLS_ROLE, DtlsConfig.DtlsRole.SERVER_ONLY);
        CoapServer server = new CoapServer(config);
        CoapEndpoint udp = CoapEndpoint.builder()
                .setConfiguration(config)
                .setInetSocketAddress(new InetSocketAddress(settings.host(), settings.port()))
                .build();
        DtlsConnectorConfig dtlsConfig = DtlsConnectorConfig.builder(config)
                .setAddress(new InetSocketAddress(settings.host(), settings.dtlsPort()))
                .setAdvancedPskStore(new DerivedPskStore(context.identities()))
                .build();
        CoapEndpoint dtls = CoapEndpoint.builder()
                .setConfiguration(config)
                .setConnector(new DTLSConnector(dtlsConfig))
                .build();
        server.addEndpoint(udp);
        server.addEndpoint(dtls);
        server.add(IntakeResource.uploads(context));
        server.add(IntakeResource.acks(context));
        server.start();
        LOG.info(
                "CoAP listening on {}:{} (UDP) and {}:{} (DTLS)",
                settings.host(),
                udp.getAddress().getPort(),
                settings.host(),
                dtls.getAddress().getPort());
        return new CoapTransport(server, udp, dtls);
    }

    public int port() {
        return udp.getAddress().getPort();
    }

    public int dtlsPort() {
        return dtls.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop();
        server.destroy();
    }
}
