package io.meterbase.transport.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterbase.formats.Formats;
import org.junit.jupiter.api.Test;

class MqttPermissionsTest {

    private final MqttPermissions permissions = new MqttPermissions(Formats.builtIn());

    @Test
    void clients_publishOnlyOnTheirOwnTopics() {
        assertThat(permissions.mayPublish("plug", "tele/plug/SENSOR")).isTrue();
        assertThat(permissions.mayPublish("plug", "tele/plug2/SENSOR")).isFalse();
        assertThat(permissions.mayPublish("plug", "tele/other/SENSOR")).isFalse();
        assertThat(permissions.mayPublish("gw", "meterbase/gw/up")).isTrue();
        assertThat(permissions.mayPublish("gw", "meterbase/gw/down")).isFalse();
        assertThat(permissions.mayPublish("gw", "meterbase/gw/ack")).isTrue();
        assertThat(permissions.mayPublish("s1", "s1/meterbase/cmd-1/rpc")).isTrue();
        assertThat(permissions.mayPublish("s1", "s2/meterbase/cmd-1/rpc")).isFalse();
        assertThat(permissions.mayPublish("s1", "s1/status/switch:0")).isTrue();
        assertThat(permissions.mayPublish("emonpi", "emon/emontx/power1")).isTrue();
        assertThat(permissions.publishFilters("plug"))
                .contains("tele/plug/SENSOR", "tele/plug/+", "stat/plug/+/#", "plug/status/+", "emon/+/+")
                .allSatisfy(f ->
                        assertThat(f.contains("plug") || f.startsWith("emon/")).isTrue());
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
