package io.meterbase.formats.emoncms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meterbase.core.ingest.RawReading;
import io.meterbase.core.ingest.Upload;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EmoncmsDecoderTest {

    private static final long NOW = 1_795_255_200_000L;
    private final EmoncmsDecoder decoder = new EmoncmsDecoder(new EmoncmsInputs(Map.of("5", List.of("vrms", "temp"))));

    @Test
    void post_fulljson_givesNamedReadingsNow() throws Exception {
        Upload u = decoder.post("emontx", "{\"power1\":100,\"vrms\":\"231.5\",\"pulse\":12345}", null, null, null, NOW);

        assertThat(u.nodes()).singleElement().satisfies(n -> {
            assertThat(n.ref()).isEqualTo("emontx");
            assertThat(n.readings())
                    .containsExactly(
                            new RawReading("power1", "active_power", "W", 100, NOW, null),
                            new RawReading("vrms", "voltage", "V", 231.5, NOW, null),
                            new RawReading("pulse", "energy_import", "Wh", 12345, NOW, "register"));
        });
    }

    @Test
    void post_looseJsonAndCsv_andTime() throws Exception {
        Upload loose = decoder.post("1", null, "{power:200,temp1:19.5}", null, "1795255100", NOW);
        Upload csv = decoder.post("5", null, null, "230.1,21.5,7", null, NOW);

        assertThat(loose.nodes().get(0).readings())
                .extracting(RawReading::channelName, RawReading::timestamp)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("power", 1_795_255_100_000L),
                        org.assertj.core.groups.Tuple.tuple("temp1", 1_795_255_100_000L));
        assertThat(csv.nodes().get(0).readings())
                .extracting(RawReading::channelName, RawReading::quantity)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("vrms", "voltage"),
                        org.assertj.core.groups.Tuple.tuple("temp", "temperature"),
                        org.assertj.core.groups.Tuple.tuple("3", "emoncms_input_3"));
    }

    @Test
    void bulk_asEmonhubSendsIt_correctsTheSendersClock() throws Exception {
        // the sender's clock is 100 s behind: it says it sent at 1795255100 while it is 1795255200 here
        Upload u = decoder.bulk(
                "[[1795255090,10,150,250,0,0,231.2],[1795255095,10,151,251]]", "1795255100", null, null, NOW);

        List<RawReading> r = u.nodes().get(0).readings();
        assertThat(u.nodes().get(0).ref()).isEqualTo("10");
        assertThat(r.get(0)).isEqualTo(new RawReading("power1", "active_power", "W", 150, NOW - 10_000, null));
        assertThat(r.get(4)).isEqualTo(new RawReading("vrms", "voltage", "V", 231.2, NOW - 10_000, null));
        assertThat(r.get(5).timestamp()).isEqualTo(NOW - 5_000);
        assertThat(r).hasSize(7);
    }

    @Test
    void bulk_namedValues_andAbsoluteTimes() throws Exception {
        Upload u = decoder.bulk("[[1795255000,\"house\",{\"power\":500,\"kwh\":1234.5}]]", null, null, null, NOW);

        assertThat(u.nodes().get(0).readings())
                .containsExactly(
                        new RawReading("power", "active_power", "W", 500, 1_795_255_000_000L, null),
                        new RawReading("kwh", "energy_import", "kWh", 1234.5, 1_795_255_000_000L, "register"));
    }

    @Test
    void malformed_requests_failWithReasons() {
        assertThatThrownBy(() -> decoder.bulk("[[1,2", null, null, null, NOW)).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> decoder.bulk("[5]", null, null, null, NOW)).hasMessageContaining("data[0]");
        assertThatThrownBy(() -> decoder.bulk(null, null, null, null, NOW)).hasMessageContaining("needs data");
        assertThatThrownBy(() -> decoder.post("1", null, null, null, null, NOW)).hasMessageContaining("fulljson");
        assertThatThrownBy(() -> decoder.post("1", null, null, "1,x", null, NOW))
                .hasMessageContaining("'x'");
    }
}
