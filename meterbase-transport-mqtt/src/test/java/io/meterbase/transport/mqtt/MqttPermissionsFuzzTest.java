package io.meterbase.transport.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterbase.formats.Formats;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * A device may publish only on topics of its own user name (and emonhub's {@code emon/...}), whatever the topic:
 * the schemes' own words, wildcards, {@code $SYS}, control characters, empty and long levels.
 */
class MqttPermissionsFuzzTest {

    private static final MqttPermissions PERMISSIONS = new MqttPermissions(Formats.builtIn());

    @Property
    void aDeviceMayPublishOnlyOnItsOwnTopics(@ForAll("topics") String topic) {
        if (PERMISSIONS.mayPublish("plug-1", topic) && !topic.equals("emon") && !topic.startsWith("emon/")) {
            // emonhub's topics name its nodes, not the client: they belong to the client's customer as a whole
            assertThat(topic).contains("plug-1");
        }
    }

    @Provide
    Arbitrary<String> topics() {
        Arbitrary<String> level = Arbitraries.oneOf(
                Arbitraries.of(
                        "tele",
                        "stat",
                        "cmnd",
                        "tasmota",
                        "shellies",
                        "shellyplus1pm-a8",
                        "events",
                        "rpc",
                        "status",
                        "switch:0",
                        "emon",
                        "emontx",
                        "meterbase",
                        "up",
                        "ack",
                        "SENSOR",
                        "STATE",
                        "RESULT",
                        "POWER",
                        "LWT",
                        "MARGINS",
                        "plug-1",
                        "gw-1",
                        "+",
                        "#",
                        "$SYS",
                        "",
                        "..",
                        "\u0000",
                        "\u202e",
                        "x".repeat(300)),
                Arbitraries.strings().ofMaxLength(12));
        return level.list().ofMinSize(1).ofMaxSize(6).map(levels -> String.join("/", levels));
    }
}
