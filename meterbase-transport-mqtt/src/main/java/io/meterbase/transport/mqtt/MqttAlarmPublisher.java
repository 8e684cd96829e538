package io.meterbase.transport.mqtt;

import com.hivemq.extension.sdk.api.packets.general.Qos;
import com.hivemq.extension.sdk.api.services.Services;
import com.hivemq.extension.sdk.api.services.builder.Builders;
import io.meterbase.core.device.AlarmFeed;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Publishes every alarm change on the embedded broker, QoS 1, on {@code meterbase/alarms/<customer>/<device>}:
 * any client of that customer (a home display, a home-automation hub) may subscribe to
 * {@code meterbase/alarms/<customer>/#}.
 */
final class MqttAlarmPublisher implements Consumer<AlarmFeed.Change> {

    static String topicFilter(long customerId) {
        return "meterbase/alarms/" + customerId + "/#";
    }

    @Override
    public void accept(AlarmFeed.Change alarm) {
        Services.publishService()
                .publish(Builders.publish()
                        .topic("meterbase/alarms/" + alarm.customerId() + "/" + alarm.deviceRef())
                        .qos(Qos.AT_LEAST_ONCE)
                        .payload(ByteBuffer.wrap(alarm.json().getBytes(StandardCharsets.UTF_8)))
                        .build());
    }
}
