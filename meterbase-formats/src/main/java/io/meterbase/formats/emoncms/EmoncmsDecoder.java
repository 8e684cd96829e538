package io.meterbase.formats.emoncms;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.meterbase.core.ingest.DecodeContext;
import io.meterbase.core.ingest.DecodeException;
import io.meterbase.core.ingest.NodeReport;
import io.meterbase.core.ingest.PayloadDecoder;
import io.meterbase.core.ingest.RawReading;
import io.meterbase.core.ingest.Upload;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The emoncms input API's two requests, as readings: {@code input/post} ({@code node} with {@code fulljson},
 * {@code json} in emoncms' loose syntax, or {@code csv}; optional {@code time}) and {@code input/bulk}
 * ({@code data=[[time, node, v1, v2, ...], ...]}, values by position or as an object of named values; item times
 * are added to {@code time}, or to now minus {@code offset}, or to now minus {@code sentat} — which corrects the
 * sender's clock — or are absolute). Node ids become devices. emonhub's MQTT messages are the same values:
 * {@code emon/<node>/<input>} carries one number, {@code emon/<node>} a JSON object of named values.
 */
public final class EmoncmsDecoder implements PayloadDecoder {

    public static final String FORMAT = "emoncms";

    /**
     * The field that says which emoncms API request a payload is: {@code post} or {@code bulk}, with the request's
     * fields form-encoded as the payload ({@code node=5&fulljson=...}). Without it the payload is an emonhub MQTT
     * message: one value on {@code emon/<node>/<input>}, or an object of named values on {@code emon/<node>}.
     */
    public static final String REQUEST = "request";

    private static final ObjectMapper STRICT = new ObjectMapper();
    private static final ObjectMapper LOOSE = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_UNQUOTED_FIELD_NAMES, JsonReadFeature.ALLOW_SINGLE_QUOTES)
            .enable(JsonParser.Feature.ALLOW_COMMENTS)
            .build();

    private final EmoncmsInputs inputs;

    public EmoncmsDecoder(EmoncmsInputs inputs) {
        this.inputs = inputs;
    }

    @Override
    public String format() {
        return FORMAT;
    }

    /** emonhub's topics name its nodes, not the client that publishes them: any client of the customer may. */
    @Override
    public List<String> topics() {
        return List.of("emon/{node}/{input}", "emon/{node}");
    }

    @Override
    public Upload decode(byte[] payload, DecodeContext context) throws DecodeException {
        String request = context.field(REQUEST);
        long now = context.receivedAt();
        if (request == null) {
            String text = new String(payload, StandardCharsets.UTF_8);
            String input = context.field("input");
            String node = context.field("node");
            if (input == null) {
                return post(node, text, null, null, null, now);
            }
            Map<String, Double> values = new LinkedHashMap<>();
            values.put(input, number(text.trim()));
            return new Upload(null, List.of(node(nodeId(node), values, now)));
        }
        Map<String, String> f = form(payload);
        return switch (request) {
            case "post" -> post(f.get("node"), f.get("fulljson"), f.get("json"), f.get("csv"), f.get("time"), now);
            case "bulk" -> bulk(f.get("data"), f.get("sentat"), f.get("offset"), f.get("time"), now);
            default -> throw new DecodeException("emoncms requests are post or bulk, not '" + request + "'");
        };
    }

    /** The fields of a form-encoded emoncms request ({@code application/x-www-form-urlencoded}). */
    private static Map<String, String> form(byte[] payload) throws DecodeException {
        Map<String, String> fields = new LinkedHashMap<>();
        String text = new String(payload, StandardCharsets.UTF_8);
        if (text.isEmpty()) {
            return fields;
        }
        for (String pair : text.split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                fields.putIfAbsent(
                        URLDecoder.decode(name, StandardCharsets.UTF_8),
                        URLDecoder.decode(value, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw new DecodeException("the request is not form-encoded: " + e.getMessage());
            }
        }
        return fields;
    }

    private static String nodeId(@Nullable String node) {
        return node == null || node.isBlank() ? "0" : node.trim();
    }

    /** {@code input/post}: one node's values at {@code time} (seconds) or now. */
    public Upload post(
            @Nullable String node,
            @Nullable String fulljson,
            @Nullable String json,
            @Nullable String csv,
            @Nullable String time,
            long now)
            throws DecodeException {
        String nodeId = nodeId(node);
        long ts = seconds(time, now);
        Map<String, Double> values = new LinkedHashMap<>();
        if (fulljson != null) {
            named(parse(STRICT, fulljson, "fulljson"), values);
        } else if (json != null) {
            named(parse(LOOSE, json.startsWith("{") ? json : "{" + json + "}", "json"), values);
        } else if (csv != null) {
            String[] parts = csv.split(",");
            for (int i = 0; i < parts.length; i++) {
                values.put(inputs.name(nodeId, i), number(parts[i].trim()));
            }
        } else {
            throw new DecodeException("input/post needs fulljson, json or csv");
        }
        return new Upload(null, List.of(node(nodeId, values, ts)));
    }

    /** {@code input/bulk}: many nodes and times in one request. */
    public Upload bulk(
            @Nullable String data, @Nullable String sentat, @Nullable String offset, @Nullable String time, long now)
            throws DecodeException {
        if (data == null || data.isBlank()) {
            throw new DecodeException("input/bulk needs data=[[time,node,value,...],...]");
        }
        JsonNode rows = parse(STRICT, data, "data");
        if (!rows.isArray()) {
            throw new DecodeException("data must be an array of [time, node, values...] arrays");
        }
        // as emoncms: each item's time is added to a reference, which is the 'time' given, or now minus
        // 'offset', or now minus 'sentat' (which corrects the sender's clock), or zero (absolute times)
        long reference;
        if (time != null) {
            reference = Math.round(number(time) * 1000);
        } else if (offset != null) {
            reference = now - Math.round(number(offset) * 1000);
        } else if (sentat != null) {
            reference = now - Math.round(number(sentat) * 1000);
        } else {
            reference = 0;
        }
        Map<String, List<RawReading>> byNode = new LinkedHashMap<>();
        for (int i = 0; i < rows.size(); i++) {
            JsonNode row = rows.get(i);
            if (!row.isArray() || row.size() < 2) {
                throw new DecodeException("data[" + i + "] must be [time, node, values...]");
            }
            long ts = reference + Math.round(row.get(0).asDouble() * 1000);
            String nodeId = row.get(1).asText();
            Map<String, Double> values = new LinkedHashMap<>();
            for (int k = 2; k < row.size(); k++) {
                JsonNode v = row.get(k);
                if (v.isObject()) {
                    named(v, values);
                } else {
                    values.put(inputs.name(nodeId, k - 2), v.isNumber() ? v.asDouble() : Double.NaN);
                }
            }
            byNode.computeIfAbsent(nodeId, n -> new ArrayList<>())
                    .addAll(node(nodeId, values, ts).readings());
        }
        List<NodeReport> nodes = new ArrayList<>();
        byNode.forEach((n, readings) -> nodes.add(new NodeReport(n, null, "sensor_node", null, readings)));
        return new Upload(null, nodes);
    }

    private static NodeReport node(String nodeId, Map<String, Double> values, long ts) {
        List<RawReading> readings = new ArrayList<>();
        values.forEach((name, value) -> {
            Optional<String[]> m = EmoncmsInputs.meaning(name);
            readings.add(
                    m.isPresent()
                            ? new RawReading(name, m.get()[0], m.get()[1], value, ts, m.get()[2])
                            : new RawReading(name, "emoncms_input_" + name, null, value, ts, null));
        });
        return new NodeReport(nodeId, null, "sensor_node", null, readings);
    }

    private static void named(JsonNode object, Map<String, Double> values) throws DecodeException {
        if (!object.isObject()) {
            throw new DecodeException("the inputs must be an object of name: value");
        }
        for (Map.Entry<String, JsonNode> e : object.properties()) {
            JsonNode v = e.getValue();
            values.put(e.getKey(), v.isNumber() ? v.asDouble() : v.isTextual() ? number(v.asText()) : Double.NaN);
        }
    }

    private static JsonNode parse(ObjectMapper mapper, String text, String field) throws DecodeException {
        try {
            JsonNode node = mapper.readTree(text);
            if (node == null) {
                throw new DecodeException(field + " is empty");
            }
            return node;
        } catch (IOException e) {
            throw new DecodeException(field + " is not valid JSON: "
                    + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
        }
    }

    private static long seconds(@Nullable String time, long now) throws DecodeException {
        return time == null || time.isBlank() ? now : Math.round(number(time) * 1000);
    }

    private static double number(String text) throws DecodeException {
        try {
            return Double.parseDouble(text.trim());
        } catch (NumberFormatException e) {
            throw new DecodeException("'" + text + "' is not a number");
        }
    }
}
