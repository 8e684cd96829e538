package io.meterbase.formats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meterbase.core.ingest.DecodeContext;
import io.meterbase.core.ingest.DecodeException;
import io.meterbase.core.ingest.DeviceMessage;
import io.meterbase.core.ingest.FormatRegistry;
import io.meterbase.core.ingest.RawReading;
import io.meterbase.core.ingest.Upload;
import io.meterbase.core.ingest.Via;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every transport finds a payload's format with the same function: by name, by MQTT topic (the formats' own
 * patterns, the most specific winning, the payload telling apart formats that share one), or by media type.
 */
class FormatRoutingTest {

    private static final long NOW = 1_700_000_000_000L;
    private final FormatRegistry formats = Formats.builtIn();

    private FormatRegistry.Routed route(Via via, String payload) {
        return formats.route(via, bytes(payload), DecodeContext.at(NOW)).orElseThrow();
    }

    private String topicFormat(String topic, String payload) {
        return route(Via.topic(topic), payload).decoder().format();
    }

    private DeviceMessage decode(String topic, String payload) throws DecodeException {
        FormatRegistry.Routed r = route(Via.topic(topic), payload);
        return r.decoder().decode(bytes(payload), r.context());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void eachTopicScheme_findsItsFormat() {
        assertThat(topicFormat("meterbase/gw-1/up", "{}")).isEqualTo("meterbase-json");
        assertThat(topicFormat("meterbase/gw-1/up", " [{}]")).isEqualTo("senml-json");
        assertThat(topicFormat("meterbase/gw-1/up", "junk"))
                .as("none recognises it: the first registered says why")
                .isEqualTo("meterbase-json");
        assertThat(topicFormat("tele/plug/SENSOR", "{}")).isEqualTo("tasmota");
        assertThat(topicFormat("tele/plug/LWT", "Online")).isEqualTo("tasmota-status");
        assertThat(topicFormat("stat/plug/POWER", "ON")).isEqualTo("tasmota-status");
        assertThat(topicFormat("stat/plug/STATUS8/x", "{}")).isEqualTo("tasmota-status");
        assertThat(topicFormat("meterbase/meter/event", "{}")).isEqualTo("meterbase-event");
        assertThat(topicFormat("meterbase/gw-1/ack", "{}")).isEqualTo("meterbase-ack");
        assertThat(topicFormat("shelly1/meterbase/cmd-1/rpc", "{}")).isEqualTo("shelly-gen2-messages");
        assertThat(topicFormat("shelly1/status/switch:0", "{}")).isEqualTo("shelly-gen2");
        assertThat(topicFormat("shelly1/status/sys", "{}")).isEqualTo("shelly-gen2-messages");
        assertThat(topicFormat("shelly1/events/rpc", "{}")).isEqualTo("shelly-gen2");
        assertThat(topicFormat("emon/emontx/power1", "5")).isEqualTo("emoncms");
        assertThat(topicFormat("emon/emontx", "{}")).isEqualTo("emoncms");
        assertThat(formats.route(Via.topic("some/other/topic/x"), new byte[0], DecodeContext.at(NOW)))
                .isEmpty();
    }

    @Test
    void aTopic_bindsTheDeviceAndItsOtherLevels() {
        FormatRegistry.Routed shelly = route(Via.topic("shelly1/meterbase/cmd-1/rpc"), "{}");
        assertThat(shelly.context().deviceRef()).isEqualTo("shelly1");
        assertThat(shelly.context().field("command")).isEqualTo("cmd-1");
        assertThat(shelly.context().field("topic")).isEqualTo("shelly1/meterbase/cmd-1/rpc");
        FormatRegistry.Routed emon = route(Via.topic("emon/emontx/power1"), "5");
        assertThat(emon.context().deviceRef())
                .as("emonhub's topics name nodes, not the sender")
                .isNull();
        assertThat(emon.context().field("node")).isEqualTo("emontx");
        assertThat(emon.context().field("input")).isEqualTo("power1");
    }

    @Test
    void aMediaType_findsItsFormat_andJsonIsToldApartByThePayload() {
        assertThat(route(Via.mediaType("application/json"), "{}").decoder().format())
                .isEqualTo("meterbase-json");
        assertThat(route(Via.mediaType("application/json; charset=utf-8"), "[]")
                        .decoder()
                        .format())
                .isEqualTo("senml-json");
        assertThat(route(Via.mediaType("application/senml+json"), "{}")
                        .decoder()
                        .format())
                .isEqualTo("senml-json");
        assertThat(route(Via.mediaType("application/senml+cbor"), "").decoder().format())
                .isEqualTo("senml-cbor");
        assertThat(formats.route(Via.mediaType("image/png"), new byte[0], DecodeContext.at(NOW)))
                .isEmpty();
        assertThat(formats.route(Via.format("tasmota"), new byte[0], DecodeContext.at(NOW)))
                .isPresent();
        assertThat(formats.route(Via.format("nope"), new byte[0], DecodeContext.at(NOW)))
                .isEmpty();
    }

    @Test
    void tasmotaMessages_sayPresenceEventsAndRelayState() throws Exception {
        assertThat(decode("tele/plug/LWT", "Online")).isEqualTo(new DeviceMessage.Connection("plug", true));
        assertThat(decode("tele/plug/LWT", "Offline")).isEqualTo(new DeviceMessage.Connection("plug", false));
        assertThat(decode("stat/plug/MARGINS", "{\"MARGINS\":{\"PowerLow\":\"ON\",\"VoltageHigh\":\"OFF\"}}"))
                .isEqualTo(new DeviceMessage.Events(
                        "plug",
                        List.of(
                                new DeviceMessage.Event("power_low", true, null),
                                new DeviceMessage.Event("voltage_high", false, null))));
        assertThat(decode("stat/plug/POWER", "ON"))
                .isEqualTo(new DeviceMessage.RelayState("plug", true, "stat/plug/POWER"));
        assertThat(decode("stat/plug/RESULT", "{\"POWER\":\"OFF\"}"))
                .isEqualTo(new DeviceMessage.RelayState("plug", false, "stat/plug/RESULT"));
        assertThat(decode("stat/plug/RESULT", "{\"Dimmer\":5}")).isInstanceOf(DeviceMessage.Ignored.class);
        assertThat(decode("tele/plug/STATE", "{}")).isInstanceOf(DeviceMessage.Ignored.class);
        assertThatThrownBy(() -> decode("stat/plug/POWER", "maybe"))
                .isInstanceOf(DecodeException.class)
                .hasMessageContaining("ON or OFF");
    }

    @Test
    void answersToCommands_nameTheCommandAndHowItEnded() throws Exception {
        assertThat(decode("meterbase/gw-1/ack", "{\"id\":\"c-7\",\"status\":\"done\",\"relay\":\"on\"}"))
                .isEqualTo(new DeviceMessage.CommandReport(
                        "c-7", DeviceMessage.CommandOutcome.DONE, null, DeviceMessage.Relay.ON));
        assertThat(decode("shelly1/meterbase/c-8/rpc", "{\"error\":{\"message\":\"busy\"}}"))
                .isEqualTo(new DeviceMessage.CommandReport(
                        "c-8", DeviceMessage.CommandOutcome.FAILED, "busy", DeviceMessage.Relay.UNSAID));
        assertThatThrownBy(() -> decode("meterbase/gw-1/ack", "{\"id\":\"c-7\",\"status\":\"maybe\"}"))
                .isInstanceOf(DecodeException.class);
        assertThat(decode("meterbase/m1/event", "{\"type\":\"tamper_case_open\",\"detail\":\"lid\"}"))
                .isEqualTo(new DeviceMessage.Events(
                        "m1", List.of(new DeviceMessage.Event("tamper_case_open", true, "lid"))));
    }

    @Test
    void emonhubMessages_becomeReadingsOfTheNode() throws Exception {
        Upload one = (Upload) decode("emon/emontx/power1", " 250.5 ");
        assertThat(one.nodes()).hasSize(1);
        assertThat(one.nodes().get(0).ref()).isEqualTo("emontx");
        RawReading r = one.nodes().get(0).readings().get(0);
        assertThat(r.channel()).isEqualTo("power1");
        assertThat(r.value()).isEqualTo(250.5);
        assertThat(r.timestamp()).isEqualTo(NOW);
        Upload object = (Upload) decode("emon/emontx", "{\"power1\": 5, \"vrms\": \"239.1\"}");
        assertThat(object.readingCount()).isEqualTo(2);
        assertThatThrownBy(() -> decode("emon/emontx/power1", "\"x\""))
                .isInstanceOf(DecodeException.class)
                .hasMessageContaining("not a number");
    }

    @Test
    void emoncmsRequests_areTheirFormEncodedFields() throws Exception {
        FormatRegistry.Routed r = formats.route(
                        Via.format("emoncms"),
                        bytes("node=7&fulljson=%7B%22power1%22%3A12%7D&time=1700000000"),
                        new DecodeContext(null, NOW, java.util.Map.of("request", "post")))
                .orElseThrow();
        Upload post = (Upload)
                r.decoder().decode(bytes("node=7&fulljson=%7B%22power1%22%3A12%7D&time=1700000000"), r.context());
        assertThat(post.nodes().get(0).ref()).isEqualTo("7");
        assertThat(post.nodes().get(0).readings().get(0).timestamp()).isEqualTo(1_700_000_000_000L);
        assertThatThrownBy(() -> r.decoder().decode(bytes("node=%zz"), r.context()))
                .isInstanceOf(DecodeException.class)
                .hasMessageContaining("form-encoded");
    }
}
