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
}
