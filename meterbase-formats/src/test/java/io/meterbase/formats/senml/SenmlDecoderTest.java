package io.meterbase.formats.senml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meterbase.core.ingest.DecodeContext;
import io.meterbase.core.ingest.DecodeException;
import io.meterbase.core.ingest.NodeReport;
import io.meterbase.core.ingest.RawReading;
import io.meterbase.core.ingest.Upload;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Against the RFC 8428 examples (test resources senml/, from the IETF senml-spec repository). */
class SenmlDecoderTest {

    private static final long NOW = 1_795_255_200_000L;
    private static final DecodeContext AT_NOW = DecodeContext.at(NOW);

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = SenmlDecoderTest.class.getResourceAsStream("/senml/" + name)) {
            return in.readAllBytes();
        }
    }

    private static List<RawReading> readings(Upload u) {
        List<RawReading> out = new ArrayList<>();
        for (NodeReport n : u.nodes()) {
            out.addAll(n.readings());
        }
        return out;
    }

    /** The resolved form's (time in ms, value) pairs, for comparison. */
    private static List<String> resolved(String name) throws IOException {
        List<String> out = new ArrayList<>();
        for (JsonNode r : new ObjectMapper().readTree(resource(name))) {
            out.add(Math.round(r.get("t").asDouble() * 1000) + " " + r.get("v").asDouble() + " "
                    + r.get("u").asText());
        }
        return out;
    }

    private static List<String> decoded(Upload u) {
        return readings(u).stream()
                .map(r -> r.timestamp() + " " + r.value() + " " + r.unit())
                .toList();
    }

    @Test
    void decode_ex3_baseTimeAndRelativeTimes_matchResolvedForm() throws Exception {
        Upload u = new SenmlJsonDecoder().decode(resource("ex3.json"), AT_NOW);

        assertThat(decoded(u)).containsExactlyElementsOf(resolved("ex3.gen.resolved.json"));
        assertThat(u.nodes()).singleElement().satisfies(n -> assertThat(n.ref())
                .isEqualTo("urn:dev:ow:10e2073a0108006"));
        assertThat(readings(u).get(0).quantity()).isEqualTo("voltage");
        assertThat(readings(u).get(1).quantity()).isEqualTo("current");
        assertThat(readings(u).get(1).channelName()).isEqualTo("current");
    }

    @Test
    void decode_energyThatWentOut_isAnExportRegister_andSocAStateOfCharge() throws Exception {
        Upload u = new SenmlJsonDecoder().decode("""
                        [{"bn":"urn:dev:mac:0024befffe804ff1/","n":"energy","u":"Wh","v":1500},
                         {"n":"energy_export","u":"Wh","v":200},{"n":"e_returned","u":"kWh","v":0.3},
                         {"n":"feed_in","u":"Wh","v":40},{"n":"soc","u":"%","v":76}]""".getBytes(java.nio.charset.StandardCharsets.UTF_8), AT_NOW);

        assertThat(readings(u))
                .extracting(RawReading::quantity)
                .containsExactly("energy_import", "energy_export", "energy_export", "energy_export", "state_of_charge");
    }

    @Test
    void decode_ex3Cbor_givesTheSameAsJson() throws Exception {
        Upload cbor = new SenmlCborDecoder().decode(resource("ex3.gen.cbor"), AT_NOW);
        Upload json = new SenmlJsonDecoder().decode(resource("ex3.json"), AT_NOW);

        assertThat(cbor).isEqualTo(json);
    }

    @Test
    void decode_ex4_baseUnitGivesHumidity() throws Exception {
        Upload u = new SenmlJsonDecoder().decode(resource("ex4.json"), AT_NOW);

        assertThat(decoded(u)).containsExactlyElementsOf(resolved("ex4.gen.resolved.json"));
        assertThat(readings(u)).allSatisfy(r -> {
            assertThat(r.quantity()).isEqualTo("humidity");
            assertThat(r.channelName()).isEqualTo("humidity");
        });
    }

    @Test
    void decode_relativeTimeZero_isTheReceiptTime() throws Exception {
        Upload u = new SenmlJsonDecoder().decode(resource("ex2.json"), AT_NOW);

        assertThat(readings(u)).extracting(RawReading::timestamp).containsOnly(NOW);
        assertThat(readings(u)).extracting(RawReading::channelName).containsExactly("voltage", "current");
    }

    @Test
    void decode_withoutBaseName_usesTheTransportsDevice() throws Exception {
        byte[] pack =
                "[{\"n\":\"power\",\"u\":\"W\",\"v\":85.5,\"t\":-10},{\"n\":\"voltage_l2\",\"u\":\"V\",\"v\":231}]"
                        .getBytes(StandardCharsets.UTF_8);

        Upload u = new SenmlJsonDecoder().decode(pack, new DecodeContext("plug-7", NOW));

        assertThat(u.nodes()).singleElement().satisfies(n -> assertThat(n.ref()).isEqualTo("plug-7"));
        assertThat(readings(u))
                .containsExactly(
                        new RawReading("power", "active_power", "W", 85.5, NOW - 10_000, null),
                        new RawReading("voltage_l2", "voltage", "V", 231, NOW, null));
    }

    @Test
    void decode_sum_isARegister() throws Exception {
        byte[] pack = "[{\"bn\":\"meter-1/\",\"bt\":1795255200,\"n\":\"energy\",\"u\":\"Wh\",\"s\":1234.5}]"
                .getBytes(StandardCharsets.UTF_8);

        RawReading r = readings(new SenmlJsonDecoder().decode(pack, AT_NOW)).get(0);

        assertThat(r)
                .isEqualTo(new RawReading("energy", "energy_import", "Wh", 1234.5, 1_795_255_200_000L, "register"));
    }

    @Test
    void decode_unitsWithoutQuantity_areKeptForValidationToRefuse() throws Exception {
        Upload u = new SenmlJsonDecoder().decode(resource("ex5.json"), AT_NOW);

        assertThat(readings(u))
                .extracting(RawReading::quantity)
                .contains("humidity", "senml_unit_lon", "senml_unit_lat", "senml_unit_%EL");
        assertThat(readings(u)).hasSize(13);
    }

    @Test
    void decode_badPacks_failWithReason() {
        SenmlJsonDecoder d = new SenmlJsonDecoder();
        assertThatThrownBy(() -> d.decode("{\"n\":1}".getBytes(StandardCharsets.UTF_8), AT_NOW))
                .isInstanceOf(DecodeException.class)
                .hasMessageContaining("array of records");
        assertThatThrownBy(() -> d.decode("[{\"n\":\"a\",\"v\":\"x\"}]".getBytes(StandardCharsets.UTF_8), AT_NOW))
                .hasMessageContaining("'v' must be a number");
        assertThatThrownBy(() -> d.decode("[{\"v\":1}]".getBytes(StandardCharsets.UTF_8), AT_NOW))
                .hasMessageContaining("no name");
        assertThatThrownBy(() -> d.decode("[{".getBytes(StandardCharsets.UTF_8), AT_NOW))
                .hasMessageContaining("malformed SenML JSON");
        assertThatThrownBy(() -> new SenmlCborDecoder().decode(new byte[] {(byte) 0xFF, 1}, AT_NOW))
                .hasMessageContaining("malformed SenML CBOR");
    }
}
