package io.meterbase.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import java.util.LinkedHashMap;
import java.util.Map;
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

    /** Starts the API on {@code host:port} (port 0 picks a free one). */
    public static HttpApi start(ApiContext api, String host, int port) {
        ObjectMapper mapper = new ObjectMapper();
        Javalin app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.useVirtualThreads = true;
            config.http.maxRequestSize = api.maxBodyBytes() + 1L;
            config.jsonMapper(new JavalinJackson(mapper, true));
        });
        new SessionRoutes(api).register(app);
        new UploadRoutes(api).register(app);
        new AccountRoutes(api, mapper).register(app);
        new QueryRoutes(api).register(app);
        new OpsRoutes(api).register(app);
        new EmoncmsRoutes(api).register(app);
        new ControlRoutes(api).register(app);
        new AnalyticsRoutes(api).register(app);
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
        app.start(host, port);
        LOG.info("HTTP API listening on {}:{}", host, app.port());
        return new HttpApi(app);
    }

    static Map<String, Object> error(String reason, String message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", reason);
        m.put("message", message);
        return m;
    }

    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }
}
