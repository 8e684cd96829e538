package io.meterbase.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meterbase.core.model.Quantity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MeterbaseConfigTest {

    @TempDir
    Path dir;

    @Test
    void load_appliesFileThenEnvironmentThenOverrides() throws Exception {
        Path file = dir.resolve("meterbase.properties");
        Files.writeString(file, "http.port=9000\ndata.dir=/srv/meterbase\ningest.range.voltage=100:300\n");

        MeterbaseConfig c = MeterbaseConfig.load(
                file, Map.of("MB_HTTP_PORT", "9100", "MB_INGEST_MAX_FUTURE", "PT1M"), Map.of("http.host", "0.0.0.0"));

        assertThat(c.integer("http.port", 0, 65535)).isEqualTo(9100);
        assertThat(c.string("http.host")).isEqualTo("0.0.0.0");
        assertThat(c.dataDir()).isEqualTo(Path.of("/srv/meterbase"));
        assertThat(c.ingestSettings().maxFuture()).isEqualTo(Duration.ofMinutes(1));
        assertThat(c.ingestSettings().max(Quantity.VOLTAGE)).isEqualTo(300);
        assertThat(c.ingestSettings().max(Quantity.CURRENT)).isEqualTo(Quantity.CURRENT.defaultMax());
    }

    @Test
    void defaults_coverEverySetting() {
        MeterbaseConfig c = MeterbaseConfig.defaults();

        for (Setting s : MeterbaseConfig.SETTINGS) {
            if (!s.key().contains("<")) {
                assertThat(c.string(s.key())).isEqualTo(s.defaultValue());
            }
        }
        assertThat(c.ingestSettings().autoRegisterDevices()).isTrue();
    }

    @Test
    void badValues_failNamingTheKey() {
        assertThatThrownBy(() ->
                        MeterbaseConfig.defaults().with("http.port", "eighty").integer("http.port", 0, 65535))
                .hasMessageStartingWith("http.port:");
        assertThatThrownBy(() -> MeterbaseConfig.defaults()
                        .with("ingest.max-future", "5 minutes")
                        .ingestSettings())
                .hasMessageStartingWith("ingest.max-future:");
        assertThatThrownBy(() -> MeterbaseConfig.defaults()
                        .with("ingest.range.voltage", "300")
                        .ingestSettings())
                .hasMessageStartingWith("ingest.range.voltage:");
        assertThatThrownBy(() -> MeterbaseConfig.load(dir.resolve("missing.properties"), Map.of(), Map.of()))
                .hasMessageStartingWith("config:");
    }

    @Test
    void envName_followsTheKey() {
        assertThat(new Setting("store.duckdb.memory-limit", "", "").envName())
                .isEqualTo("MB_STORE_DUCKDB_MEMORY_LIMIT");
    }

    @Test
    void validate_refusesAMisspeltKey_withTheNearestOne_andBadValues_inOneLine() throws Exception {
        Path file = dir.resolve("meterbase.properties");
        Files.writeString(file, "http.prot=8081\nhttp.port=80a80\nmqtt.plain=maybe\ningest.retention=ten years\n");

        assertThatThrownBy(() -> MeterbaseConfig.load(file, Map.of(), Map.of()).validate())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown setting 'http.prot' (did you mean 'http.port'?)")
                .hasMessageContaining("http.port: must be a whole number; was '80a80'")
                .hasMessageContaining("mqtt.plain: must be on or off; was 'maybe'")
                .hasMessageContaining("ingest.retention: must be an ISO-8601 duration")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        assertThatThrownBy(() -> MeterbaseConfig.defaults().with("zzz", "1").validate())
                .hasMessage("unknown setting 'zzz' (see 'meterbase settings' for every key)");
        assertThatThrownBy(() -> MeterbaseConfig.defaults()
                        .with("http.tls.port", "70000")
                        .validate())
                .hasMessageStartingWith("http.tls.port: a port within [0, 65535]");
        assertThatThrownBy(() -> MeterbaseConfig.defaults()
                        .with("ingest.range.volts", "0:1")
                        .validate())
                .hasMessageContaining("no quantity 'volts'");
    }

    @Test
    void validate_takesEveryDefault_andValuesOfTheRightKind() {
        assertThat(MeterbaseConfig.defaults().validate()).isNotNull();
        MeterbaseConfig c = MeterbaseConfig.defaults()
                .with("ingest.rate-limit.readings-per-second", "12.5")
                .with("mqtt.max-packet-bytes", "512KB")
                .with("http.plain", "Loopback")
                .with("mqtt.tls.websocket-port", "-1")
                .with("ingest.range.voltage", "100:300")
                .with("emoncms.inputs.emontx", "power1,power2");
        assertThat(c.validate()).isSameAs(c);
    }
}
