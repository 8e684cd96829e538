package io.meterbase.transport.mqtt;

import com.hivemq.extension.sdk.api.packets.general.Qos;
import com.hivemq.extension.sdk.api.services.Services;
import com.hivemq.extension.sdk.api.services.builder.Builders;
import io.meterbase.control.ControlJson;
import io.meterbase.control.alarm.Alarm;
import io.meterbase.control.alarm.AlarmListener;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Publishes every alarm change on the embedded broker, QoS 1, on {@code meterbase/alarms/<customer>/<device>}:
 * any client of that customer (a home display, a home-automation hub) may subscribe to
 * {@code meterbase/alarms/<customer>/#}.
 */
final class MqttAlarmPublisher implements AlarmListener {

    static String topicFilter(long customerId) {
        return "meterbase/alarms/" + customerId + "/#";
    }

    @Override
    public void changed(Alarm alarm) {
        Services.publishService()
                .publish(Builders.publish()
                        .topic("meterbase/alarms/" + alarm.customerId() + "/" + alarm.deviceRef())
                        .qos(Qos.AT_LEAST_ONCE)
                        .payload(ByteBuffer.wrap(ControlJson.write(alarm).getBytes(StandardCharsets.UTF_8)))
                        .build());
    }
}
