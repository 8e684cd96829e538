package io.meterbase.transport.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterbase.transport.mqtt.MqttRoute.Kind;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MqttRouteTest {

    private static MqttRoute route(String topic, String payload) {
        return MqttRoute.of(topic, payload.getBytes(StandardCharsets.UTF_8)).orElseThrow();
    }

    @Test
    void topicSchemes_giveFormatAndDevice() {
        assertThat(route("meterbase/gw-1/up", "{}"))
                .isEqualTo(new MqttRoute(Kind.READINGS, "meterbase-json", "gw-1", null));
        assertThat(route("meterbase/gw-1/up", " [{}]").format()).isEqualTo("senml-json");
        assertThat(route("tele/plug/SENSOR", "{}")).isEqualTo(new MqttRoute(Kind.READINGS, "tasmota", "plug", null));
        assertThat(route("tele/plug/LWT", "Online").kind()).isEqualTo(Kind.PRESENCE);
        assertThat(route("tele/plug/STATE", "{}").kind()).isEqualTo(Kind.IGNORED);
        assertThat(route("stat/plug/POWER", "ON")).isEqualTo(new MqttRoute(Kind.RELAY_STATE, null, "plug", "POWER"));
        assertThat(route("stat/plug/RESULT", "{}").kind()).isEqualTo(Kind.RELAY_STATE);
        assertThat(route("stat/plug/STATUS8", "{}").kind()).isEqualTo(Kind.IGNORED);
        assertThat(route("tele/plug/MARGINS", "{}"))
                .isEqualTo(new MqttRoute(Kind.DEVICE_EVENT, "tasmota", "plug", null));
        assertThat(route("meterbase/meter/event", "{}").kind()).isEqualTo(Kind.DEVICE_EVENT);
        assertThat(route("meterbase/gw-1/ack", "{}")).isEqualTo(new MqttRoute(Kind.COMMAND_ACK, null, "gw-1", null));
        assertThat(route("shelly1/meterbase/cmd-1/rpc", "{}"))
                .isEqualTo(new MqttRoute(Kind.RPC_RESPONSE, null, "shelly1", "cmd-1"));
        assertThat(route("shelly1/status/switch:0", "{}").format()).isEqualTo("shelly-gen2");
        assertThat(route("shelly1/events/rpc", "{}").deviceRef()).isEqualTo("shelly1");
        assertThat(route("emon/emontx/power1", "5"))
                .isEqualTo(new MqttRoute(Kind.EMONCMS_VALUE, null, "emontx", "power1"));
        assertThat(route("emon/emontx", "{}").kind()).isEqualTo(Kind.EMONCMS_OBJECT);
        assertThat(MqttRoute.of("some/other/topic/x", new byte[0])).isEmpty();
    }

    @Test
    void clients_publishOnlyOnTheirOwnTopics() {
        assertThat(MqttRoute.mayPublish("plug", "tele/plug/SENSOR")).isTrue();
        assertThat(MqttRoute.mayPublish("plug", "tele/plug2/SENSOR")).isFalse();
        assertThat(MqttRoute.mayPublish("plug", "tele/other/SENSOR")).isFalse();
        assertThat(MqttRoute.mayPublish("gw", "meterbase/gw/up")).isTrue();
        assertThat(MqttRoute.mayPublish("gw", "meterbase/gw/down")).isFalse();
        assertThat(MqttRoute.mayPublish("gw", "meterbase/gw/ack")).isTrue();
        assertThat(MqttRoute.mayPublish("s1", "s1/meterbase/cmd-1/rpc")).isTrue();
        assertThat(MqttRoute.mayPublish("s1", "s2/meterbase/cmd-1/rpc")).isFalse();
        assertThat(MqttRoute.mayPublish("s1", "s1/status/switch:0")).isTrue();
        assertThat(MqttRoute.mayPublish("emonpi", "emon/emontx/power1")).isTrue();
    }

    @Test
    void topicFilters_matchAsMqttDoes() {
        assertThat(MqttCommandChannel.matches("cmnd/plug/#", "cmnd/plug/POWER")).isTrue();
        assertThat(MqttCommandChannel.matches("cmnd/+/POWER", "cmnd/plug/POWER"))
                .isTrue();
        assertThat(MqttCommandChannel.matches("cmnd/plug/POWER", "cmnd/plug/POWER"))
                .isTrue();
        assertThat(MqttCommandChannel.matches("cmnd/plug", "cmnd/plug/POWER")).isFalse();
        assertThat(MqttCommandChannel.matches("cmnd/other/#", "cmnd/plug/POWER"))
                .isFalse();
        assertThat(MqttCommandChannel.matches("cmnd/plug/POWER/x", "cmnd/plug/POWER"))
                .isFalse();
    }
}
