package io.meterbase.formats.shelly;

import com.fasterxml.jackson.databind.JsonNode;
import io.meterbase.core.ingest.DecodeContext;
import io.meterbase.core.ingest.DecodeException;
import io.meterbase.core.ingest.NodeReport;
import io.meterbase.core.ingest.PayloadDecoder;
import io.meterbase.core.ingest.RawReading;
import io.meterbase.core.ingest.Upload;
import io.meterbase.formats.support.JsonDecoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Shelly Gen2 switch status: the payload of {@code <prefix>/status/switch:N}, or a {@code NotifyStatus} /
 * {@code NotifyFullStatus} event from {@code <prefix>/events/rpc} (whose {@code params.ts} dates the values and
 * whose {@code src} names the device). {@code apower} (W), {@code voltage}, {@code current}, {@code pf},
 * {@code freq}, {@code aenergy.total} (Wh, a cumulative register), {@code temperature.tC}. Switch N &gt; 0 gives
 * channels with the suffix {@code _N}.
 */
public final class ShellyGen2Decoder extends JsonDecoder implements PayloadDecoder {

    public static final String FORMAT = "shelly-gen2";

    public ShellyGen2Decoder() {
        super(FORMAT, "Shelly", "{device}/status/switch:{switch}", "{device}/events/rpc");
    }

    @Override
    public Upload decode(byte[] payload, DecodeContext context) throws DecodeException {
        JsonNode root = tree(payload);
        if (root == null || !root.isObject()) {
            throw new DecodeException("a Shelly status is a JSON object");
        }
        String device = root.hasNonNull("src") ? root.get("src").asText() : context.deviceRef();
        if (device == null || device.isBlank()) {
            throw new DecodeException("the Shelly payload names no device: no 'src', and no device from the topic");
        }
        List<RawReading> readings = new ArrayList<>();
        if (root.has("method")) {
            JsonNode params = root.path("params");
            long ts = params.has("ts") ? Math.round(params.get("ts").asDouble() * 1000) : context.receivedAt();
            for (Map.Entry<String, JsonNode> f : params.properties()) {
                if (f.getKey().startsWith("switch:") && f.getValue().isObject()) {
                    switchStatus(f.getValue(), suffixOf(f.getKey()), ts, readings);
                }
            }
        } else if (root.has("apower") || root.has("aenergy") || root.has("voltage")) {
            int id = root.path("id").asInt(0);
            switchStatus(root, id == 0 ? "" : "_" + id, context.receivedAt(), readings);
        }
        if (readings.isEmpty()) {
            throw new DecodeException("the Shelly payload holds no switch measurements");
        }
        return new Upload(null, List.of(new NodeReport(device, null, "smart_plug", null, readings)));
    }

    private static String suffixOf(String key) {
        String id = key.substring("switch:".length());
        return id.equals("0") ? "" : "_" + id;
    }

    private static void switchStatus(JsonNode s, String suffix, long ts, List<RawReading> out) {
        add(out, s.get("apower"), "active_power" + suffix, "active_power", "W", ts, null);
        add(out, s.get("voltage"), "voltage" + suffix, "voltage", "V", ts, null);
        add(out, s.get("current"), "current" + suffix, "current", "A", ts, null);
        add(out, s.get("pf"), "power_factor" + suffix, "power_factor", "/", ts, null);
        add(out, s.get("freq"), "frequency" + suffix, "frequency", "Hz", ts, null);
        add(out, s.path("aenergy").get("total"), "energy" + suffix, "energy_import", "Wh", ts, "register");
        add(out, s.path("temperature").get("tC"), "temperature" + suffix, "temperature", "Cel", ts, null);
    }

    private static void add(
            List<RawReading> out,
            @Nullable JsonNode v,
            String channel,
            String quantity,
            String unit,
            long ts,
            @Nullable String kind) {
        if (v != null && !v.isMissingNode()) {
            out.add(new RawReading(channel, quantity, unit, v.isNumber() ? v.asDouble() : Double.NaN, ts, kind));
        }
    }
}
