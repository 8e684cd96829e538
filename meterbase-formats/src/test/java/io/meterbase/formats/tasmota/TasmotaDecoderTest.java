package io.meterbase.formats.tasmota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meterbase.core.ingest.DecodeContext;
import io.meterbase.core.ingest.DecodeException;
import io.meterbase.core.ingest.RawReading;
import io.meterbase.core.ingest.Upload;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TasmotaDecoderTest {

    private static final long NOW = 1_795_255_200_000L;
    private final TasmotaDecoder decoder = new TasmotaDecoder();

    private Upload decode(String json, String device) throws DecodeException {
        return decoder.decode(json.getBytes(StandardCharsets.UTF_8), new DecodeContext(device, NOW));
    }

    @Test
    void decode_tasmotaEnergy_givesPowerVoltageCurrentAndRegister() throws Exception {
        Upload u = decode("""
                {"Time":"2026-11-21T11:00:00","ENERGY":{"TotalStartTime":"2024-01-01T00:00:00","Total":123.456,
                 "Yesterday":1.234,"Today":0.567,"Period":2,"Power":85,"ApparentPower":95,"ReactivePower":42,
                 "Factor":0.89,"Voltage":231,"Current":0.412}}""", "kitchen-plug");

        assertThat(u.nodes()).singleElement().satisfies(n -> {
            assertThat(n.ref()).isEqualTo("kitchen-plug");
            assertThat(n.readings())
                    .containsExactly(
                            new RawReading("energy", "energy_import", "kWh", 123.456, NOW, "register"),
                            new RawReading("active_power", "active_power", "W", 85, NOW, null),
                            new RawReading("apparent_power", "apparent_power", "VA", 95, NOW, null),
                            new RawReading("reactive_power", "reactive_power", "var", 42, NOW, null),
                            new RawReading("power_factor", "power_factor", "/", 0.89, NOW, null),
                            new RawReading("voltage", "voltage", "V", 231, NOW, null),
                            new RawReading("current", "current", "A", 0.412, NOW, null));
        });
    }

    @Test
    void decode_exportedEnergy_isARegisterOfItsOwn() throws Exception {
        Upload u = decode("{\"ENERGY\":{\"Total\":3210.5,\"Export\":456.25,\"Power\":-850}}", "grid-meter");

        assertThat(u.nodes().get(0).readings())
                .containsExactly(
                        new RawReading("energy", "energy_import", "kWh", 3210.5, NOW, "register"),
                        new RawReading("energy_export", "energy_export", "kWh", 456.25, NOW, "register"),
                        new RawReading("active_power", "active_power", "W", -850, NOW, null));
    }

    @Test
    void decode_multiChannelArrays_giveNumberedChannels() throws Exception {
        Upload u = decode("{\"ENERGY\":{\"Power\":[10,20],\"Voltage\":230,\"Current\":[0.05,0.1]}}", "dual");

        assertThat(u.nodes().get(0).readings())
                .extracting(RawReading::channelName)
                .containsExactly("active_power_1", "active_power_2", "voltage", "current_1", "current_2");
    }

    @Test
    void decode_otherSensors_inTheirTemperatureUnit() throws Exception {
        Upload u = decode("{\"AM2301\":{\"Temperature\":71.6,\"Humidity\":45.1},\"TempUnit\":\"F\"}", "hall");

        assertThat(u.nodes().get(0).readings())
                .containsExactlyInAnyOrder(
                        new RawReading("am2301_temperature", "temperature", "°F", 71.6, NOW, null),
                        new RawReading("am2301_humidity", "humidity", "%RH", 45.1, NOW, null));
    }

    @Test
    void decode_withoutDeviceOrValues_fails() {
        assertThatThrownBy(() -> decode("{\"ENERGY\":{\"Power\":1}}", null)).hasMessageContaining("names no device");
        assertThatThrownBy(() -> decode("{\"Time\":\"x\"}", "d")).hasMessageContaining("no ENERGY");
        assertThatThrownBy(() -> decode("{\"ENERGY\":", "d")).hasMessageContaining("malformed Tasmota JSON");
    }

    @Test
    void decode_nonNumericValue_isKeptForValidationToRefuse() throws Exception {
        Upload u = decode("{\"ENERGY\":{\"Power\":\"n/a\"}}", "d");

        assertThat(u.nodes().get(0).readings().get(0).value()).isNaN();
    }
}
