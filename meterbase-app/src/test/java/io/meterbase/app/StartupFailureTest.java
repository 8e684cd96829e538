package io.meterbase.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A server that cannot start says why and leaves nothing running or locked behind. */
class StartupFailureTest {

    @TempDir
    Path dir;

    @Test
    void unreachableExternalBroker_failsTheStart_andReleasesEverything() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        MeterbaseConfig config = MeterbaseConfig.defaults()
                .with("data.dir", dir.toString())
                .with("http.port", "0")
                .with("mqtt.enabled", "false")
                .with("coap.enabled", "false")
                .with("mqtt.external.url", "mqtt://127.0.0.1:" + closedPort)
                .with("mqtt.external.customer-key", "mbk_not-a-key");

        assertThatThrownBy(() -> Meterbase.start(config, Clock.systemUTC()))
                .hasMessageStartingWith("mqtt.external.customer-key:");

        // the store was closed: it opens again at once, and the writer thread is gone
        try (Meterbase again = Meterbase.start(config.with("mqtt.external.url", ""), Clock.systemUTC())) {
            assertThat(again.httpPort()).isPositive();
            // the failed start made no operator key that nobody saw: this start makes and shows it
            assertThat(again.newOperatorSecret()).isPresent();
        }
        assertThat(Thread.getAllStackTraces().keySet())
                .noneMatch(t -> t.getName().equals("meterbase-writer") && t.isAlive());
    }

    @Test
    void analyticsJobsMisspelt_failsTheStart_namingTheChoices() {
        MeterbaseConfig config = MeterbaseConfig.defaults()
                .with("data.dir", dir.toString())
                .with("http.port", "0")
                .with("mqtt.enabled", "false")
                .with("coap.enabled", "false")
                .with("analytics.jobs", "sparks");

        assertThatThrownBy(() -> Meterbase.start(config, Clock.systemUTC()))
                .hasMessage("analytics.jobs: must be server or spark; was 'sparks'");
        assertThat(config.with("analytics.jobs", " Spark ").choice("analytics.jobs", "server", "spark"))
                .isEqualTo("spark");
    }

    @Test
    void mqttPortTaken_failsTheStart_withTheReason() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            MeterbaseConfig config = MeterbaseConfig.defaults()
                    .with("data.dir", dir.toString())
                    .with("http.port", "0")
                    .with("mqtt.port", String.valueOf(taken.getLocalPort()))
                    .with("coap.enabled", "false")
                    .with("analytics.enabled", "false");

            assertThatThrownBy(() -> Meterbase.start(config, Clock.systemUTC()))
                    .hasMessageContaining("could not start the MQTT broker on 127.0.0.1:" + taken.getLocalPort());
        }
        // everything started before the broker was stopped again: the store opens at once
        try (Meterbase again = Meterbase.start(
                MeterbaseConfig.defaults()
                        .with("data.dir", dir.toString())
                        .with("http.port", "0")
                        .with("mqtt.enabled", "false")
                        .with("coap.enabled", "false"),
                Clock.systemUTC())) {
            assertThat(again.httpPort()).isPositive();
            // the failed start made no operator key that nobody saw: this start makes and shows it
            assertThat(again.newOperatorSecret()).isPresent();
        }
    }
}
