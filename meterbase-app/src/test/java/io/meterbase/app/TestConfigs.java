package io.meterbase.app;

import java.nio.file.Path;

/** Server settings the HTTP-only tests share. */
final class TestConfigs {

    private TestConfigs() {}

    /** The embedded store in {@code dir}, HTTP on a free port, no MQTT, no CoAP, no scheduled analytics. */
    static MeterbaseConfig httpOnly(Path dir) {
        return MeterbaseConfig.defaults()
                .with("data.dir", dir.resolve("server").toString())
                .with("http.port", "0")
                .with("mqtt.enabled", "false")
                .with("coap.enabled", "false")
                .with("analytics.enabled", "false");
    }
}
