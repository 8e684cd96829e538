package io.meterbase.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;

/** The uploads the load generators send, written with Jackson. */
final class Payloads {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Payloads() {}

    /** A smart plug's report in Meterbase JSON: power, voltage and current of one device at {@code ts}. */
    static byte[] plug(String device, long ts) {
        ObjectNode upload = JSON.createObjectNode().put("ts", ts);
        ObjectNode node = upload.putArray("nodes").addObject().put("id", device);
        ArrayNode readings = node.putArray("readings");
        readings.addObject().put("quantity", "active_power").put("unit", "W").put("value", 100 + ts % 50);
        readings.addObject().put("quantity", "voltage").put("unit", "V").put("value", 230.1);
        readings.addObject().put("quantity", "current").put("unit", "A").put("value", 0.43);
        return bytes(upload);
    }

    /** Adds a power reading in watts at {@code ts}, rounded to 0.1 W, to a node's readings. */
    static void power(ArrayNode readings, long ts, double watts) {
        readings.addObject()
                .put("ts", ts)
                .put("quantity", "active_power")
                .put("unit", "W")
                .put("value", Math.round(watts * 10) / 10.0);
    }

    static byte[] bytes(Object tree) {
        try {
            return JSON.writeValueAsString(tree).getBytes(StandardCharsets.UTF_8);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
