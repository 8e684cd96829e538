package io.meterbase.formats.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import io.meterbase.core.ingest.DecodeContext;
import io.meterbase.core.ingest.DecodeException;
import io.meterbase.core.ingest.MessageDecoder;
import io.meterbase.core.ingest.NodeReport;
import io.meterbase.core.ingest.PayloadDecoder;
import io.meterbase.core.ingest.RawReading;
import io.meterbase.core.ingest.Upload;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Decodes the Meterbase gateway upload: one JSON object with all nodes of a gateway and their readings.
 *
 * <pre>{@code
 * {"gateway": "gw-1", "ts": "2026-11-21T10:00:00Z",
 *  "nodes": [{"id": "plug-1", "name": "Fridge", "type": "smart_plug", "category": "fridge",
 *             "readings": [{"quantity": "active_power", "unit": "W", "value": 85.2},
 *                          {"channel": "energy", "quantity": "energy_import", "unit": "kWh", "value": 12.5,
 *                           "kind": "register", "ts": 1763719200000}]}]}
 * }</pre>
 *
 * A timestamp is an ISO-8601 instant or epoch milliseconds; a reading without one takes its node's, and a node
 * without one the upload's. An interval reading ({@code "kind": "interval"}) is stamped at the end of the period it
 * measured; one stamped at its start says so with {@code "stamp": "start"} and its {@code "period"} (seconds, or an
 * ISO-8601 duration such as {@code "PT30M"}), and is handed on stamped at its end. Unknown fields are ignored.
 * Streams the input without building a tree.
 */
public final class MeterbaseJsonDecoder implements PayloadDecoder {

    public static final String FORMAT = "meterbase-json";

    private final JsonFactory factory = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(16)
                    .maxStringLength(100_000)
                    .build())
            .build();

    @Override
    public String format() {
        return FORMAT;
    }

    /** Topic of native devices and gateways (shared with SenML JSON, told apart by the payload). */
    public static final String TOPIC = "meterbase/{device}/up";

    @Override
    public List<String> topics() {
        return List.of(TOPIC);
    }

    @Override
    public List<String> mediaTypes() {
        return List.of("application/json");
    }

    /** A Meterbase JSON upload is an object. */
    @Override
    public boolean recognises(byte[] payload) {
        return MessageDecoder.firstNonSpace(payload) == '{';
    }

    @Override
    public Upload decode(byte[] payload, DecodeContext context) throws DecodeException {
        try (JsonParser p = factory.createParser(payload)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new DecodeException("payload is not a JSON object");
            }
            String gateway = null;
            Long ts = null;
            List<PendingNode> nodes = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "gateway" -> gateway = text(p, "gateway");
                    case "ts" -> ts = timestamp(p, "ts");
                    case "nodes" -> nodes = nodes(p);
                    default -> p.skipChildren();
                }
            }
            if (p.nextToken() != null) {
                throw new DecodeException("unexpected content after the upload object");
            }
            if (nodes == null) {
                throw new DecodeException("field 'nodes' is missing");
            }
            List<NodeReport> reports = new ArrayList<>(nodes.size());
            for (PendingNode n : nodes) {
                reports.add(n.resolve(ts));
            }
            if (gateway == null && context.deviceRef() != null) {
                // over MQTT and CoAP the sender is known: a sender reporting for other nodes is their gateway
                String sender = context.deviceRef();
                if (reports.stream().anyMatch(r -> !r.ref().equals(sender))) {
                    gateway = sender;
                }
            }
            return new Upload(gateway, reports);
        } catch (JsonParseException e) {
            throw new DecodeException("malformed JSON: " + e.getOriginalMessage() + " at " + location(e));
        } catch (IOException e) {
            throw new DecodeException("unreadable payload: " + e.getMessage());
        }
    }

    private static String location(JsonParseException e) {
        return e.getLocation() == null
                ? "unknown position"
                : "line " + e.getLocation().getLineNr() + ", column "
                        + e.getLocation().getColumnNr();
    }

    private List<PendingNode> nodes(JsonParser p) throws IOException, DecodeException {
        expect(p, JsonToken.START_ARRAY, "nodes");
        List<PendingNode> nodes = new ArrayList<>();
        while (p.nextToken() == JsonToken.START_OBJECT) {
            nodes.add(node(p, nodes.size()));
        }
        expect(p, JsonToken.END_ARRAY, "nodes");
        return nodes;
    }

    private PendingNode node(JsonParser p, int index) throws IOException, DecodeException {
        PendingNode n = new PendingNode();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "id" -> n.id = text(p, "nodes[" + index + "].id");
                case "name" -> n.name = text(p, "nodes[" + index + "].name");
                case "type" -> n.type = text(p, "nodes[" + index + "].type");
                case "category" -> n.category = text(p, "nodes[" + index + "].category");
                case "ts" -> n.ts = timestamp(p, "nodes[" + index + "].ts");
                case "readings" -> readings(p, n, index);
                default -> p.skipChildren();
            }
        }
        if (n.id == null || n.id.isBlank()) {
            throw new DecodeException("nodes[" + index + "] has no 'id'");
        }
        return n;
    }

    private void readings(JsonParser p, PendingNode n, int nodeIndex) throws IOException, DecodeException {
        expect(p, JsonToken.START_ARRAY, "nodes[" + nodeIndex + "].readings");
        while (p.nextToken() == JsonToken.START_OBJECT) {
            int index = n.readings.size();
            String channel = null;
            String quantity = null;
            String unit = null;
            String kind = null;
            String stamp = null;
            Long period = null;
            double value = Double.NaN;
            Long ts = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                switch (field) {
                    case "channel" -> channel = text(p, nodeIndex, index, field);
                    case "quantity" -> quantity = text(p, nodeIndex, index, field);
                    case "unit" -> unit = text(p, nodeIndex, index, field);
                    case "kind" -> kind = text(p, nodeIndex, index, field);
                    case "stamp" -> stamp = text(p, nodeIndex, index, field);
                    case "period" -> period = period(p, where(nodeIndex, index, field));
                    case "ts" -> ts = timestamp(p, where(nodeIndex, index, field));
                    case "value" -> value = number(p, t, nodeIndex, index);
                    default -> p.skipChildren();
                }
            }
            long shift = shiftToEnd(stamp, period, kind, nodeIndex, index);
            n.readings.add(new PendingReading(channel, quantity, unit, value, ts, shift, kind, nodeIndex, index));
        }
        expect(p, JsonToken.END_ARRAY, "nodes[" + nodeIndex + "].readings");
    }

    /** How far a reading's timestamp moves to stamp it at the end of its period: 0 unless stamped at its start. */
    private static long shiftToEnd(
            @Nullable String stamp, @Nullable Long period, @Nullable String kind, int node, int reading)
            throws DecodeException {
        if (stamp == null || stamp.equalsIgnoreCase("end") || stamp.equalsIgnoreCase("instant")) {
            return 0;
        }
        if (!stamp.equalsIgnoreCase("start")) {
            throw new DecodeException(where(node, reading, "stamp") + " must be 'end' or 'start', was '" + stamp + "'");
        }
        if (kind == null || !(kind.equalsIgnoreCase("interval") || kind.equalsIgnoreCase("delta"))) {
            throw new DecodeException(
                    where(node, reading, "stamp") + " 'start' is for interval readings (\"kind\": \"interval\")");
        }
        if (period == null) {
            throw new DecodeException(where(node, reading, "stamp")
                    + " 'start' needs the reading's 'period' (seconds or an ISO-8601 duration)");
        }
        return period;
    }

    /** A period in seconds or as an ISO-8601 duration, in milliseconds: more than 0, at most 31 days. */
    private static long period(JsonParser p, String where) throws IOException, DecodeException {
        JsonToken t = p.currentToken();
        double seconds;
        if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
            seconds = p.getDoubleValue();
        } else if (t == JsonToken.VALUE_STRING) {
            try {
                seconds = java.time.Duration.parse(p.getText()).toMillis() / 1000.0;
            } catch (DateTimeParseException | ArithmeticException e) {
                throw new DecodeException(where + " is not an ISO-8601 duration: '" + p.getText() + "'");
            }
        } else {
            throw new DecodeException(where + " must be seconds or an ISO-8601 duration");
        }
        if (!(seconds > 0 && seconds <= 31 * 86_400)) {
            throw new DecodeException(where + " must be more than 0 and at most 31 days, was " + p.getText());
        }
        return Math.round(seconds * 1000);
    }

    private static String where(int node, int reading, @Nullable String field) {
        return "nodes[" + node + "].readings[" + reading + "]" + (field == null ? "" : "." + field);
    }

    private static @Nullable String text(JsonParser p, int node, int reading, String field)
            throws IOException, DecodeException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        return text(p, where(node, reading, field));
    }

    private static double number(JsonParser p, JsonToken t, int node, int reading) throws IOException, DecodeException {
        if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
            return p.getDoubleValue();
        }
        if (t == JsonToken.VALUE_NULL) {
            return Double.NaN;
        }
        if (t == JsonToken.VALUE_STRING) {
            try {
                return Double.parseDouble(p.getText());
            } catch (NumberFormatException e) {
                throw new DecodeException(where(node, reading, "value") + " is not a number: '" + p.getText() + "'");
            }
        }
        throw new DecodeException(where(node, reading, "value") + " must be a number");
    }

    private static @Nullable String text(JsonParser p, String where) throws IOException, DecodeException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_STRING || t == JsonToken.VALUE_NUMBER_INT) {
            return p.getText();
        }
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        throw new DecodeException(where + " must be a string");
    }

    private static long timestamp(JsonParser p, String where) throws IOException, DecodeException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NUMBER_INT) {
            if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                throw new DecodeException(where + " is out of range: " + p.getText());
            }
            return p.getLongValue();
        }
        if (t == JsonToken.VALUE_NUMBER_FLOAT) {
            double ms = p.getDoubleValue();
            if (!(Math.abs(ms) < 9.2e18)) {
                throw new DecodeException(where + " is out of range: " + p.getText());
            }
            return (long) ms;
        }
        if (t == JsonToken.VALUE_STRING) {
            try {
                return Instant.parse(p.getText()).toEpochMilli();
            } catch (DateTimeParseException e) {
                throw new DecodeException(where + " is not an ISO-8601 instant: '" + p.getText() + "'");
            } catch (ArithmeticException e) {
                throw new DecodeException(where + " is out of range: '" + p.getText() + "'");
            }
        }
        throw new DecodeException(where + " must be an ISO-8601 string or epoch milliseconds");
    }

    private static void expect(JsonParser p, JsonToken token, String where) throws DecodeException {
        if (p.currentToken() != token) {
            throw new DecodeException(where + " must be an array of objects");
        }
    }

    /** A node whose readings may still need the upload's timestamp. */
    private static final class PendingNode {
        @Nullable
        String id;

        @Nullable
        String name;

        @Nullable
        String type;

        @Nullable
        String category;

        @Nullable
        Long ts;

        final List<PendingReading> readings = new ArrayList<>();

        NodeReport resolve(@Nullable Long uploadTs) throws DecodeException {
            List<RawReading> out = new ArrayList<>(readings.size());
            for (PendingReading r : readings) {
                Long at = r.ts != null ? r.ts : ts != null ? ts : uploadTs;
                if (at == null) {
                    throw new DecodeException(
                            where(r.node, r.index, null) + " has no 'ts', and neither has its node nor the upload");
                }
                out.add(new RawReading(r.channel, r.quantity, r.unit, r.value, at + r.shift, r.kind));
            }
            return new NodeReport(
                    java.util.Objects.requireNonNull(id, "a node is read with its id"), name, type, category, out);
        }
    }

    private record PendingReading(
            @Nullable String channel,
            @Nullable String quantity,
            @Nullable String unit,
            double value,
            @Nullable Long ts,
            long shift,
            @Nullable String kind,
            int node,
            int index) {}
}
