package io.meterbase.formats.shelly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meterbase.core.ingest.DecodeContext;
import io.meterbase.core.ingest.DecodeException;
import io.meterbase.core.ingest.RawReading;
import io.meterbase.core.ingest.Upload;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ShellyGen2DecoderTest {

    private static final long NOW = 1_795_255_200_000L;
    private final ShellyGen2Decoder decoder = new ShellyGen2Decoder();

    private Upload decode(String json, String device) throws DecodeException {
        return decoder.decode(json.getBytes(StandardCharsets.UTF_8), new DecodeContext(device, NOW));
    }

    @Test
    void decode_switchStatus_givesPowerVoltageCurrentPfFreqRegisterTemperature() throws Exception {
        Upload u = decode("""
                {"id":0,"source":"timer","output":true,"apower":85.3,"voltage":231.2,"current":0.41,"pf":0.9,
                 "freq":50.0,"aenergy":{"total":1234.567,"by_minute":[1,2,3],"minute_ts":1795255140},
                 "temperature":{"tC":41.2,"tF":106.2}}""", "shellyplus1pm-a8032ab1");

        assertThat(u.nodes()).singleElement().satisfies(n -> {
            assertThat(n.ref()).isEqualTo("shellyplus1pm-a8032ab1");
            assertThat(n.readings())
                    .containsExactly(
                            new RawReading("active_power", "active_power", "W", 85.3, NOW, null),
                            new RawReading("voltage", "voltage", "V", 231.2, NOW, null),
                            new RawReading("current", "current", "A", 0.41, NOW, null),
                            new RawReading("power_factor", "power_factor", "/", 0.9, NOW, null),
                            new RawReading("frequency", "frequency", "Hz", 50.0, NOW, null),
                            new RawReading("energy", "energy_import", "Wh", 1234.567, NOW, "register"),
                            new RawReading("temperature", "temperature", "Cel", 41.2, NOW, null));
        });
    }

    @Test
    void decode_notifyStatusEvent_usesItsTimeSourceAndSwitchNumber() throws Exception {
        Upload u = decode("""
                {"src":"shellypro2pm-ec62","dst":"meterbase","method":"NotifyStatus",
                 "params":{"ts":1795255201.25,"switch:1":{"id":1,"apower":12.5}}}""", null);

        assertThat(u.nodes().get(0).ref()).isEqualTo("shellypro2pm-ec62");
        assertThat(u.nodes().get(0).readings())
                .containsExactly(new RawReading("active_power_1", "active_power", "W", 12.5, 1_795_255_201_250L, null));
    }

    @Test
    void decode_withoutMeasurementsOrDevice_fails() {
        assertThatThrownBy(() -> decode("{\"id\":0,\"output\":true}", "d")).hasMessageContaining("no switch");
        assertThatThrownBy(() -> decode("{\"apower\":1}", null)).hasMessageContaining("names no device");
        assertThatThrownBy(() -> decode("[1]", "d")).hasMessageContaining("JSON object");
    }
}
