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
    void decode_pro3emStatusAndEnergy_givePhasesTheirSumAndBothRegisters() throws Exception {
        // a Pro 3EM at the grid connection while the home exports on phase b
        Upload status = decode("""
                {"id":0,"a_current":4.0,"a_voltage":230.1,"a_act_power":900.5,"a_aprt_power":920,"a_pf":0.98,
                 "b_current":6.2,"b_voltage":229.8,"b_act_power":-1400.0,"b_aprt_power":1420,"b_pf":-0.99,
                 "c_current":0.5,"c_voltage":231.0,"c_act_power":100.0,"c_aprt_power":110,"c_pf":0.9,
                 "total_current":10.7,"total_act_power":-399.5,"total_aprt_power":2450}""", "shellypro3em-grid");
        Upload energy = decode("""
                {"id":0,"a_total_act_energy":1000,"a_total_act_ret_energy":0,"total_act":5120.25,
                 "total_act_ret":830.5}""", "shellypro3em-grid");

        assertThat(status.nodes().get(0).type()).isEqualTo("electricity_meter");
        assertThat(status.nodes().get(0).readings())
                .contains(
                        new RawReading("active_power", "active_power", "W", -399.5, NOW, null),
                        new RawReading("active_power_a", "active_power", "W", 900.5, NOW, null),
                        new RawReading("active_power_b", "active_power", "W", -1400.0, NOW, null),
                        new RawReading("voltage_c", "voltage", "V", 231.0, NOW, null),
                        new RawReading("power_factor_b", "power_factor", "/", -0.99, NOW, null));
        assertThat(energy.nodes().get(0).readings())
                .containsExactly(
                        new RawReading("energy", "energy_import", "Wh", 5120.25, NOW, "register"),
                        new RawReading("energy_returned", "energy_export", "Wh", 830.5, NOW, "register"));
    }

    @Test
    void decode_proEmChannelsInANotifyStatus_andAPlugsReturnedEnergy() throws Exception {
        Upload em = decode("""
                {"src":"shellyproem50-1","method":"NotifyStatus","params":{"ts":1795255201.0,
                 "em1:0":{"id":0,"act_power":-350.0,"voltage":230.0,"current":1.6,"pf":-0.95,"freq":50.0},
                 "em1data:1":{"id":1,"total_act_energy":200.0,"total_act_ret_energy":15.5}}}""", null);
        Upload plug = decode("""
                {"id":0,"apower":-280.0,"aenergy":{"total":12.0},"ret_aenergy":{"total":3456.7}}""", "balcony");

        assertThat(em.nodes().get(0).readings())
                .contains(
                        new RawReading("active_power", "active_power", "W", -350.0, 1_795_255_201_000L, null),
                        new RawReading(
                                "energy_returned_1", "energy_export", "Wh", 15.5, 1_795_255_201_000L, "register"));
        assertThat(plug.nodes().get(0).type()).isEqualTo("smart_plug");
        assertThat(plug.nodes().get(0).readings())
                .contains(new RawReading("energy_returned", "energy_export", "Wh", 3456.7, NOW, "register"));
    }

    @Test
    void decode_withoutMeasurementsOrDevice_fails() {
        assertThatThrownBy(() -> decode("{\"id\":0,\"output\":true}", "d"))
                .hasMessageContaining("no switch or energy meter");
        assertThatThrownBy(() -> decode("{\"apower\":1}", null)).hasMessageContaining("names no device");
        assertThatThrownBy(() -> decode("[1]", "d")).hasMessageContaining("JSON object");
    }
}
