package io.meterbase.formats.senml;

import com.fasterxml.jackson.databind.JsonNode;
import io.meterbase.core.ingest.DecodeContext;
import io.meterbase.core.ingest.DecodeException;
import io.meterbase.core.ingest.NodeReport;
import io.meterbase.core.ingest.RawReading;
import io.meterbase.core.ingest.Upload;
import io.meterbase.core.model.Quantity;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Resolves a SenML pack (RFC 8428 section 4.6) into standard readings: base name, time, unit, value and sum
 * carry over to the records after them; times below 2^28 s are relative to the receipt time. The device is the
 * base name (without its trailing separator), else the transport's device, else the record's name; the channel
 * is the record's name, else its quantity. A record with a sum ({@code s}) is a cumulative register.
 */
final class SenmlResolver {

    private static final double RELATIVE_LIMIT = 268_435_456; // 2^28 seconds

    private SenmlResolver() {}

    /** Field names of a record; CBOR packs use the integer labels of RFC 8428 table 6. */
    private static JsonNode field(JsonNode record, String name, int label) {
        JsonNode v = record.get(name);
        return v != null ? v : record.get(String.valueOf(label));
    }

    static Upload resolve(JsonNode pack, DecodeContext context) throws DecodeException {
        if (pack == null || !pack.isArray()) {
            throw new DecodeException("a SenML pack is an array of records");
        }
        String baseName = "";
        double baseTime = 0;
        String baseUnit = null;
        double baseValue = 0;
        double baseSum = 0;
        Map<String, List<RawReading>> byDevice = new LinkedHashMap<>();
        for (int i = 0; i < pack.size(); i++) {
            JsonNode r = pack.get(i);
            if (!r.isObject()) {
                throw new DecodeException("SenML record " + i + " is not an object");
            }
            JsonNode bn = field(r, "bn", -2);
            JsonNode bt = field(r, "bt", -3);
            JsonNode bu = field(r, "bu", -4);
            JsonNode bv = field(r, "bv", -5);
            JsonNode bs = field(r, "bs", -6);
            if (bn != null) {
                baseName = bn.asText();
            }
            if (bt != null) {
                baseTime = number(bt, i, "bt");
            }
            if (bu != null) {
                baseUnit = bu.asText();
            }
            if (bv != null) {
                baseValue = number(bv, i, "bv");
            }
            if (bs != null) {
                baseSum = number(bs, i, "bs");
            }
            JsonNode n = field(r, "n", 0);
            JsonNode u = field(r, "u", 1);
            JsonNode v = field(r, "v", 2);
            JsonNode s = field(r, "s", 5);
            JsonNode t = field(r, "t", 6);
            String name = n == null ? "" : n.asText();
            String unit = u != null ? u.asText() : baseUnit;
            double time = baseTime + (t == null ? 0 : number(t, i, "t"));
            long ts = time < RELATIVE_LIMIT ? context.receivedAt() + Math.round(time * 1000) : Math.round(time * 1000);

            String device;
            String channel;
            if (!baseName.isEmpty()) {
                device = trimSeparator(baseName);
                channel = name;
            } else if (context.deviceRef() != null) {
                device = context.deviceRef();
                channel = name;
            } else {
                device = name;
                channel = "";
            }
            if (device.isEmpty()) {
                throw new DecodeException("SenML record " + i + " has no name and no base name");
            }
            Optional<Quantity> quantity = SenmlQuantities.of(channel.isEmpty() ? null : channel, unit);
            String quantityKey = quantity.map(Quantity::key)
                    .orElse(v == null && s == null ? "senml_non_numeric" : "senml_unit_" + unit);
            if (channel.isEmpty()) {
                channel = quantity.map(Quantity::key).orElse(quantityKey);
            }
            RawReading reading;
            if (v != null) {
                reading = new RawReading(channel, quantityKey, unit, baseValue + number(v, i, "v"), ts, null);
            } else if (s != null) {
                reading = new RawReading(channel, quantityKey, unit, baseSum + number(s, i, "s"), ts, "register");
            } else {
                reading = new RawReading(channel, quantityKey, unit, Double.NaN, ts, null);
            }
            byDevice.computeIfAbsent(device, d -> new ArrayList<>()).add(reading);
        }
        List<NodeReport> nodes = new ArrayList<>();
        byDevice.forEach((device, readings) -> nodes.add(new NodeReport(device, null, null, null, readings)));
        return new Upload(null, nodes);
    }

    private static double number(JsonNode node, int record, String field) throws DecodeException {
        if (!node.isNumber()) {
            throw new DecodeException("SenML record " + record + ": '" + field + "' must be a number");
        }
        return node.asDouble();
    }

    private static String trimSeparator(String name) {
        int end = name.length();
        while (end > 0 && ":/.-_".indexOf(name.charAt(end - 1)) >= 0) {
            end--;
        }
        return name.substring(0, end);
    }
}
