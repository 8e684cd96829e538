package io.meterbase.formats.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meterbase.core.ingest.DecodeContext;
import io.meterbase.core.ingest.DecodeException;
import io.meterbase.core.ingest.RawReading;
import io.meterbase.core.ingest.Upload;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MeterbaseJsonDecoderTest {

    private final MeterbaseJsonDecoder decoder = new MeterbaseJsonDecoder();

    private Upload decode(String json) throws DecodeException {
        return decoder.decode(json.getBytes(StandardCharsets.UTF_8), DecodeContext.at(0));
    }

    @Test
    void decode_gatewayUpload_givesNodesWithReadings() throws Exception {
        Upload u = decode("""
                {"gateway":"gw-1","ts":"2025-11-21T10:00:00Z","nodes":[
                  {"id":"plug-1","name":"Fridge","type":"smart_plug","category":"fridge","readings":[
                    {"quantity":"active_power","unit":"W","value":85.2},
                    {"channel":"energy","quantity":"energy_import","unit":"kWh","value":"12.5","kind":"register","ts":1763719201000}]},
                  {"id":"plug-2","ts":1763719205000,"readings":[{"quantity":"voltage","unit":"V","value":231}]}]}
                """);

        assertThat(u.gatewayRef()).isEqualTo("gw-1");
        assertThat(u.nodes()).hasSize(2);
        assertThat(u.nodes().get(0).category()).isEqualTo("fridge");
        assertThat(u.nodes().get(0).readings())
                .containsExactly(
                        new RawReading(null, "active_power", "W", 85.2, 1763719200000L, null),
                        new RawReading("energy", "energy_import", "kWh", 12.5, 1763719201000L, "register"));
        assertThat(u.nodes().get(1).readings().get(0).timestamp()).isEqualTo(1763719205000L);
        assertThat(u.readingCount()).isEqualTo(3);
    }

    @Test
    void decode_withoutGateway_takesTheKnownSenderAsGatewayOfOtherNodes() throws Exception {
        String forOthers = "{\"ts\":1,\"nodes\":[{\"id\":\"heater\",\"readings\":[]}]}";
        String forItself = "{\"ts\":1,\"nodes\":[{\"id\":\"gw-9\",\"readings\":[]}]}";

        assertThat(decoder.decode(forOthers.getBytes(StandardCharsets.UTF_8), new DecodeContext("gw-9", 0))
                        .gatewayRef())
                .isEqualTo("gw-9");
        assertThat(decoder.decode(forItself.getBytes(StandardCharsets.UTF_8), new DecodeContext("gw-9", 0))
                        .gatewayRef())
                .isNull();
        assertThat(decode(forOthers).gatewayRef()).isNull();
    }

    @Test
    void decode_nullOrNaNValue_givesNaNForValidationToRefuse() throws Exception {
        Upload u = decode("{\"ts\":1,\"nodes\":[{\"id\":\"a\",\"readings\":[{\"quantity\":\"voltage\",\"unit\":\"V\","
                + "\"value\":null},{\"quantity\":\"voltage\",\"unit\":\"V\",\"value\":\"NaN\"}]}]}");

        assertThat(u.nodes().get(0).readings())
                .allSatisfy(r -> assertThat(r.value()).isNaN());
    }

    @Test
    void decode_malformedJson_failsWithPosition() {
        assertThatThrownBy(() -> decode("{\"nodes\":[{\"id\":\"a\",\"readings\":[{]}]}"))
                .isInstanceOf(DecodeException.class)
                .hasMessageContaining("malformed JSON")
                .hasMessageContaining("column");
    }

    @Test
    void decode_readingWithoutAnyTimestamp_fails() {
        assertThatThrownBy(
                        () -> decode(
                                "{\"nodes\":[{\"id\":\"a\",\"readings\":[{\"quantity\":\"voltage\",\"unit\":\"V\",\"value\":1}]}]}"))
                .isInstanceOf(DecodeException.class)
                .hasMessageContaining("nodes[0].readings[0] has no 'ts'");
    }

    @Test
    void decode_missingNodesOrId_fails() {
        assertThatThrownBy(() -> decode("{\"gateway\":\"g\"}")).hasMessageContaining("'nodes' is missing");
        assertThatThrownBy(() -> decode("{\"nodes\":[{\"readings\":[]}]}")).hasMessageContaining("has no 'id'");
        assertThatThrownBy(() -> decode("[1,2]")).hasMessageContaining("not a JSON object");
        assertThatThrownBy(() -> decode("{\"nodes\":5}")).hasMessageContaining("must be an array");
    }

    @Test
    void decode_badTimestamp_fails() {
        assertThatThrownBy(() -> decode("{\"ts\":\"yesterday\",\"nodes\":[]}")).hasMessageContaining("ISO-8601");
    }

    @Test
    void decode_intervalStampedAtItsStart_isHandedOnStampedAtItsEnd() throws Exception {
        Upload u = decode("""
                {"nodes":[{"id":"meter-1","readings":[
                  {"quantity":"energy_import","unit":"Wh","value":120,"kind":"interval",
                   "ts":"2026-11-30T23:30:00Z","stamp":"start","period":1800},
                  {"quantity":"energy_import","unit":"Wh","value":80,"kind":"interval",
                   "ts":"2026-11-30T23:00:00Z","stamp":"start","period":"PT30M"},
                  {"quantity":"energy_import","unit":"Wh","value":60,"kind":"interval",
                   "ts":"2026-12-01T00:30:00Z","stamp":"end"}]}]}
                """);

        assertThat(u.nodes().get(0).readings())
                .extracting(RawReading::timestamp)
                .containsExactly(
                        java.time.Instant.parse("2026-12-01T00:00:00Z").toEpochMilli(),
                        java.time.Instant.parse("2026-11-30T23:30:00Z").toEpochMilli(),
                        java.time.Instant.parse("2026-12-01T00:30:00Z").toEpochMilli());
    }

    @Test
    void decode_startStampWithoutPeriod_orOnARegister_orUnknown_failsWithTheReason() {
        String noPeriod = reading("""
                {"quantity":"energy_import","value":1,"kind":"interval","stamp":"start"}""");
        String onRegister = reading("""
                {"quantity":"energy_import","value":1,"kind":"register","stamp":"start","period":60}""");
        String unknown = reading("""
                {"quantity":"energy_import","value":1,"kind":"interval","stamp":"middle"}""");
        String badPeriod = reading("""
                {"quantity":"energy_import","value":1,"kind":"interval","stamp":"start","period":-5}""");

        assertThatThrownBy(() -> decode(noPeriod))
                .isInstanceOf(DecodeException.class)
                .hasMessageContaining("period");
        assertThatThrownBy(() -> decode(onRegister))
                .isInstanceOf(DecodeException.class)
                .hasMessageContaining("interval readings");
        assertThatThrownBy(() -> decode(unknown))
                .isInstanceOf(DecodeException.class)
                .hasMessageContaining("middle");
        assertThatThrownBy(() -> decode(badPeriod))
                .isInstanceOf(DecodeException.class)
                .hasMessageContaining("more than 0");
    }

    /** An upload of one node with one reading, given as its JSON object. */
    private static String reading(String readingJson) {
        return """
                {"ts":1,"nodes":[{"id":"a","readings":[%s]}]}""".formatted(readingJson);
    }
}
