package io.meterbase.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.HttpResponseException;
import io.javalin.http.staticfiles.Location;
import io.javalin.json.JavalinJackson;
import io.meterbase.identity.ClientAuthorities;
import java.security.KeyStore;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.http.BadMessageException;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server of API v1. Every error is answered as {@code {"error": reason, "message": words}} with a fitting
 * status; an unexpected failure in one request never affects another.
 */
public final class HttpApi implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
    private final Javalin app;

    private HttpApi(Javalin app) {
        this.app = app;
    }

    /** Starts the API on {@code host:port} (port 0 picks a free one), over plain HTTP only. */
    public static HttpApi start(ApiContext api, String host, int port) {
        return start(api, host, port, null);
    }

    /**
     * Starts the API and the web pages on {@code host:port} (plain HTTP) and, when
     * {@code tls} is given, over HTTPS on its port.
     */
    public static HttpApi start(ApiContext api, String host, int port, @Nullable Tls tls) {
        return start(api, host, port, tls, HttpLimits.defaults());
    }

    /**
     * Starts the API and the web pages on {@code host:port} (plain HTTP) and, when {@code tls} is given, over HTTPS
     * on its port, closing connections of clients slower than {@code limits}.
     */
    public static HttpApi start(ApiContext api, String host, int port, @Nullable Tls tls, HttpLimits limits) {
        return start(api, host, port, tls, limits, PlainHttp.ON);
    }

    /** What the plain HTTP listener does beside HTTPS. */
    public enum PlainHttp {
        /** Serves everything (the only choice without HTTPS). */
        ON,
        /** Answers every request with a permanent redirect to the same address over HTTPS, serving nothing. */
        REDIRECT,
        /**
         * Serves clients on this machine (loopback: local tools, scripts) and redirects every other request to
         * HTTPS.
         */
        LOOPBACK,
        /** Is not opened. */
        OFF;

        /** Parses {@code on}, {@code redirect} or {@code off}. */
        public static PlainHttp parse(String text) {
            return switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "on" -> ON;
                case "redirect" -> REDIRECT;
                case "loopback" -> LOOPBACK;
                case "off" -> OFF;
                default ->
                    throw new IllegalArgumentException("http.plain: on, loopback, redirect or off, was '" + text + "'");
            };
        }
    }

    /**
     * Starts the API and the web pages as {@link #start(ApiContext, String, int, Tls, HttpLimits)} does, with plain
     * HTTP doing what {@code plain} says ({@link PlainHttp#REDIRECT} and {@link PlainHttp#OFF} need {@code tls}).
     */
    public static HttpApi start(
            ApiContext api, String host, int port, @Nullable Tls tls, HttpLimits limits, PlainHttp plain) {
        if (tls == null && plain != PlainHttp.ON) {
            throw new IllegalArgumentException("http.plain=" + plain.name().toLowerCase(java.util.Locale.ROOT)
                    + " needs HTTPS: set http.tls.keystore or http.tls.self-signed=true");
        }
        ObjectMapper mapper = new ObjectMapper();
        KeyStore keys = tls == null ? null : tls.load();
        Javalin app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.useVirtualThreads = true;
            config.http.maxRequestSize = api.maxBodyBytes() + 1L;
            config.jsonMapper(new JavalinJackson(mapper, true));
            // a body that stops coming: 408 (Javalin's default for a read timeout is 500)
            config.jetty.timeoutStatus = 408;
            config.jetty.modifyHttpConfiguration(h -> {
                h.setIdleTimeout(limits.idleTimeout().toMillis()); // while a request is handled: body reads, writes
                h.setMinRequestDataRate(limits.minBodyBytesPerSecond());
            });
            config.staticFiles.enableWebjars();
            config.staticFiles.add(files -> {
                files.hostedPath = "/";
                files.directory = "/io/meterbase/http/web";
                files.location = Location.CLASSPATH;
                files.headers = Map.of(
                        "Cache-Control", "no-cache",
                        "Content-Security-Policy", WebPages.CSP,
                        "X-Content-Type-Options", "nosniff",
                        "Referrer-Policy", "no-referrer");
            });
            // both connectors are made here: with one added, Javalin makes no plain one of its own
            if (plain != PlainHttp.OFF) {
                config.jetty.addConnector((server, httpConfig) -> {
                    ServerConnector c = new ServerConnector(server, new HttpConnectionFactory(httpConfig));
                    guard(c, limits);
                    c.setHost(host);
                    c.setPort(port);
                    c.setName("http");
                    return c;
                });
            }
            if (tls != null) {
                config.jetty.addConnector((server, httpConfig) -> {
                    SslContextFactory.Server ssl = new SslContextFactory.Server();
                    ssl.setKeyStore(keys);
                    ssl.setKeyStorePassword(tls.password());
                    ClientAuthorities authorities = api.clientAuthorities();
                    if (authorities != null) {
                        // devices may present a chain to the client root; ClientAuthorities maps it to a device
                        ssl.setTrustStorePath(authorities.root().trustStore().toString());
                        ssl.setTrustStoreType("PKCS12");
                        ssl.setTrustStorePassword(authorities.root().trustStorePassword());
                        ssl.setWantClientAuth(true);
                    }
                    HttpConfiguration https = new HttpConfiguration(httpConfig);
                    https.addCustomizer(new SecureRequestCustomizer(false));
                    ServerConnector c = new ServerConnector(
                            server,
                            new SslConnectionFactory(ssl, HttpVersion.HTTP_1_1.asString()),
                            new HttpConnectionFactory(https));
                    guard(c, limits);
                    c.setHost(host);
                    c.setPort(tls.port());
                    c.setName("https");
                    return c;
                });
            }
        });
        HttpApi[] started = new HttpApi[1];
        app.before(ctx -> {
            boolean secure = "https".equals(ctx.scheme());
            if (!secure && (plain == PlainHttp.REDIRECT || (plain == PlainHttp.LOOPBACK && !fromLoopback(ctx)))) {
                if (started[0] == null) {
                    throw new ApiException(503, "starting", "the server is starting; try again");
                }
                String query = ctx.queryString();
                ctx.redirect(
                        "https://" + hostName(ctx) + ":" + started[0].tlsPort() + ctx.path()
                                + (query == null ? "" : "?" + query),
                        io.javalin.http.HttpStatus.PERMANENT_REDIRECT);
                ctx.skipRemainingHandlers();
                return;
            }
            if (secure) {
                // browsers that came once over HTTPS never try plain HTTP again for a year
                ctx.header("Strict-Transport-Security", "max-age=31536000");
            }
            ctx.header("X-Content-Type-Options", "nosniff");
            if (!WebPages.isStaticFile(ctx.path())) {
                // answers hold one customer's data: no cache (browser or proxy) keeps them
                ctx.header("Cache-Control", "no-store");
            }
        });
        new GrantRoutes(api).register(app);
        new SessionRoutes(api).register(app);
        new WebPages(api).register(app);
        new GatewayRoutes(api).register(app);
        new TrendRoutes(api).register(app);
        new CertificateRoutes(api).register(app);
        new OverviewRoutes(api).register(app);
        new UploadRoutes(api).register(app);
        new AccountRoutes(api, mapper).register(app);
        new QueryRoutes(api).register(app);
        new OpsRoutes(api).register(app);
        new EmoncmsRoutes(api).register(app);
        new InputMapRoutes(api).register(app);
        new MeterRoutes(api).register(app);
        new ControlRoutes(api).register(app);
        new AnalyticsRoutes(api).register(app);
        app.exception(BadMessageException.class, (e, ctx) -> ctx.status(e.getCode())
                .json(error(e.getCode() == 408 ? "request_timeout" : "bad_request", e.getReason())));
        app.exception(ApiException.class, (e, ctx) -> ctx.status(e.status()).json(error(e.reason(), e.getMessage())));
        app.exception(HttpResponseException.class, (e, ctx) -> ctx.status(e.getStatus())
                .json(error(e.getStatus() == 413 ? "payload_too_large" : "http_" + e.getStatus(), e.getMessage())));
        app.exception(Exception.class, (e, ctx) -> {
            LOG.warn("Request {} {} failed", ctx.method(), ctx.path(), e);
            ctx.status(500).json(error("internal_error", "the server failed on this request; see its log"));
        });
        app.error(404, ctx -> {
            if (ctx.result() == null || ctx.result().isEmpty()) {
                ctx.json(error("not_found", "no such resource: " + ctx.path()));
            }
        });
        app.start();
        started[0] = new HttpApi(app);
        LOG.info(
                "HTTP API and web pages on {}{}",
                plain == PlainHttp.OFF
                        ? ""
                        : "http://" + host + ":" + started[0].port()
                                + (plain == PlainHttp.REDIRECT
                                        ? " (redirecting to HTTPS)"
                                        : plain == PlainHttp.LOOPBACK ? " (for this machine; others redirected)" : ""),
                tls == null
                        ? ""
                        : (plain == PlainHttp.OFF ? "" : " and ") + "https://" + host + ":" + started[0].tlsPort());
        return started[0];
    }

    /** Idle connections and headers that never finish are closed (see {@link HttpLimits}). */
    private static void guard(ServerConnector c, HttpLimits limits) {
        c.setIdleTimeout(limits.idleTimeout().toMillis());
        c.addBean(new HeaderDeadline(limits.headerTimeout().toMillis(), c.getScheduler()));
    }

    static Map<String, Object> error(String reason, @Nullable String message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", reason);
        m.put("message", message);
        return m;
    }

    /** The plain HTTP port, or -1 when plain HTTP is off. */
    public int port() {
        return localPort("http");
    }

    /** Every route the server answers, as {@code "GET /api/v1/latest"}, in registration order. */
    public java.util.List<String> routes() {
        return app.unsafeConfig().pvt.internalRouter.allHttpHandlers().stream()
                .map(e -> e.getEndpoint())
                .filter(e -> e.getMethod().isHttpMethod())
                .map(e -> e.getMethod().name() + " " + e.getPath())
                .distinct()
                .toList();
    }

    /** The HTTPS port, or -1 without TLS. */
    public int tlsPort() {
        return localPort("https");
    }

    private int localPort(String connector) {
        for (Connector c : app.jettyServer().server().getConnectors()) {
            if (connector.equals(c.getName()) && c instanceof ServerConnector sc) {
                return sc.getLocalPort();
            }
        }
        return -1;
    }

    /** Whether the request comes from this machine. */
    static boolean fromLoopback(io.javalin.http.Context ctx) {
        try {
            return java.net.InetAddress.getByName(ctx.req().getRemoteAddr()).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    /** The host the client asked for (without its port), for a redirect to the same host over HTTPS. */
    private static String hostName(io.javalin.http.Context ctx) {
        String host = ctx.host();
        if (host == null || host.isBlank()) {
            return "localhost";
        }
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            return end > 0 ? host.substring(0, end + 1) : host;
        }
        int colon = host.lastIndexOf(':');
        return colon > 0 ? host.substring(0, colon) : host;
    }

    /**
     * Stops accepting new connections; requests already in progress (and on open connections) are still served, so
     * that uploads waiting for their commit get their answer. Part of an orderly stop, before {@link #close()}.
     */
    public void stopAccepting() {
        for (Connector c : app.jettyServer().server().getConnectors()) {
            if (c instanceof ServerConnector sc) {
                sc.close();
            }
        }
    }

    @Override
    public void close() {
        app.stop();
    }
}
