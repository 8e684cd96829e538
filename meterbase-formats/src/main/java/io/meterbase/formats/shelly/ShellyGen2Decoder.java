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
 * Shelly Gen2 switch and energy meter status.
 *
 * <p>Switches: the payload of {@code <prefix>/status/switch:N}, or a {@code NotifyStatus} /
 * {@code NotifyFullStatus} event from {@code <prefix>/events/rpc} (whose {@code params.ts} dates the values and
 * whose {@code src} names the device). {@code apower} (W), {@code voltage}, {@code current}, {@code pf},
 * {@code freq}, {@code aenergy.total} (Wh, a cumulative register), {@code temperature.tC}. Switch N &gt; 0 gives
 * channels with the suffix {@code _N}; {@code ret_aenergy.total} (energy that flowed back through the switch) is
 * the register {@code energy_returned} (energy_export).
 *
 * <p>Energy meters: the Pro 3EM's {@code em:N} (power, voltage, current, power factor per phase {@code _a},
 * {@code _b}, {@code _c}, and the phases' sum as {@code active_power}) and {@code emdata:N} (registers taken from and
 * returned to the grid: {@code energy} and {@code energy_returned}); the Pro EM's {@code em1:N} and
 * {@code em1data:N} alike, per channel. Status topics {@code <prefix>/status/em:N} and the like, or the same
 * components in a {@code NotifyStatus} event.
 */
public final class ShellyGen2Decoder extends JsonDecoder implements PayloadDecoder {

    public static final String FORMAT = "shelly-gen2";

    public ShellyGen2Decoder() {
        super(
                FORMAT,
                "Shelly",
                "{device}/status/switch:{switch}",
                "{device}/status/em:{meter}",
                "{device}/status/emdata:{meter}",
                "{device}/status/em1:{meter}",
                "{device}/status/em1data:{meter}",
                "{device}/events/rpc");
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
        boolean meter = false;
        if (root.has("method")) {
            JsonNode params = root.path("params");
            long ts = params.has("ts") ? Math.round(params.get("ts").asDouble() * 1000) : context.receivedAt();
            for (Map.Entry<String, JsonNode> f : params.properties()) {
                if (!f.getValue().isObject()) {
                    continue;
                }
                String key = f.getKey();
                meter |= key.startsWith("em");
                if (key.startsWith("switch:")) {
                    switchStatus(f.getValue(), suffixOf(key), ts, readings);
                } else if (key.startsWith("em:")) {
                    meter3(f.getValue(), suffixOf(key), ts, readings);
                } else if (key.startsWith("emdata:")) {
                    meter3Data(f.getValue(), suffixOf(key), ts, readings);
                } else if (key.startsWith("em1:")) {
                    meter1(f.getValue(), suffixOf(key), ts, readings);
                } else if (key.startsWith("em1data:")) {
                    meter1Data(f.getValue(), suffixOf(key), ts, readings);
                }
            }
        } else {
            String suffix =
                    root.path("id").asInt(0) == 0 ? "" : "_" + root.path("id").asInt(0);
            long ts = context.receivedAt();
            meter = !root.has("apower") && !root.has("aenergy");
            if (root.has("total_act_power") || root.has("a_act_power")) {
                meter3(root, suffix, ts, readings);
            } else if (root.has("total_act") || root.has("total_act_ret")) {
                meter3Data(root, suffix, ts, readings);
            } else if (root.has("act_power")) {
                meter1(root, suffix, ts, readings);
            } else if (root.has("total_act_energy") || root.has("total_act_ret_energy")) {
                meter1Data(root, suffix, ts, readings);
            } else if (root.has("apower") || root.has("aenergy") || root.has("voltage")) {
                switchStatus(root, suffix, ts, readings);
            }
        }
        if (readings.isEmpty()) {
            throw new DecodeException("the Shelly payload holds no switch or energy meter measurements");
        }
        return new Upload(
                null,
                List.of(new NodeReport(device, null, meter ? "electricity_meter" : "smart_plug", null, readings)));
    }

    /** The channel suffix of component {@code name:N}: none for 0, {@code _N} otherwise. */
    private static String suffixOf(String key) {
        String id = key.substring(key.indexOf(':') + 1);
        return id.equals("0") ? "" : "_" + id;
    }

    /**
     * A three-phase meter's status (Shelly Pro 3EM, {@code em:N}): each phase's power, voltage, current and power
     * factor as channels {@code _a}, {@code _b}, {@code _c}, and the device's own sum of the phases as
     * {@code active_power} (negative while the phases return energy to the grid).
     */
    private static void meter3(JsonNode s, String suffix, long ts, List<RawReading> out) {
        add(out, s.get("total_act_power"), "active_power" + suffix, "active_power", "W", ts, null);
        add(out, s.get("total_aprt_power"), "apparent_power" + suffix, "apparent_power", "VA", ts, null);
        add(out, s.get("total_current"), "current" + suffix, "current", "A", ts, null);
        for (String phase : new String[] {"a", "b", "c"}) {
            String p = "_" + phase + suffix;
            add(out, s.get(phase + "_act_power"), "active_power" + p, "active_power", "W", ts, null);
            add(out, s.get(phase + "_aprt_power"), "apparent_power" + p, "apparent_power", "VA", ts, null);
            add(out, s.get(phase + "_voltage"), "voltage" + p, "voltage", "V", ts, null);
            add(out, s.get(phase + "_current"), "current" + p, "current", "A", ts, null);
            add(out, s.get(phase + "_pf"), "power_factor" + p, "power_factor", "/", ts, null);
            add(out, s.get(phase + "_freq"), "frequency" + p, "frequency", "Hz", ts, null);
        }
    }

    /**
     * A three-phase meter's energy ({@code emdata:N}): the totals over the phases, taken from the grid
     * ({@code total_act}) and returned to it ({@code total_act_ret}), as registers in Wh. The phases' own registers
     * are not kept: they add up to the totals, and would count twice.
     */
    private static void meter3Data(JsonNode s, String suffix, long ts, List<RawReading> out) {
        add(out, s.get("total_act"), "energy" + suffix, "energy_import", "Wh", ts, "register");
        add(out, s.get("total_act_ret"), "energy_returned" + suffix, "energy_export", "Wh", ts, "register");
    }

    /** A single-phase meter channel's status (Shelly Pro EM, {@code em1:N}). */
    private static void meter1(JsonNode s, String suffix, long ts, List<RawReading> out) {
        add(out, s.get("act_power"), "active_power" + suffix, "active_power", "W", ts, null);
        add(out, s.get("aprt_power"), "apparent_power" + suffix, "apparent_power", "VA", ts, null);
        add(out, s.get("voltage"), "voltage" + suffix, "voltage", "V", ts, null);
        add(out, s.get("current"), "current" + suffix, "current", "A", ts, null);
        add(out, s.get("pf"), "power_factor" + suffix, "power_factor", "/", ts, null);
        add(out, s.get("freq"), "frequency" + suffix, "frequency", "Hz", ts, null);
    }

    /** A single-phase meter channel's energy ({@code em1data:N}): taken and returned, registers in Wh. */
    private static void meter1Data(JsonNode s, String suffix, long ts, List<RawReading> out) {
        add(out, s.get("total_act_energy"), "energy" + suffix, "energy_import", "Wh", ts, "register");
        add(out, s.get("total_act_ret_energy"), "energy_returned" + suffix, "energy_export", "Wh", ts, "register");
    }

    private static void switchStatus(JsonNode s, String suffix, long ts, List<RawReading> out) {
        add(out, s.get("apower"), "active_power" + suffix, "active_power", "W", ts, null);
        add(out, s.get("voltage"), "voltage" + suffix, "voltage", "V", ts, null);
        add(out, s.get("current"), "current" + suffix, "current", "A", ts, null);
        add(out, s.get("pf"), "power_factor" + suffix, "power_factor", "/", ts, null);
        add(out, s.get("freq"), "frequency" + suffix, "frequency", "Hz", ts, null);
        add(out, s.path("aenergy").get("total"), "energy" + suffix, "energy_import", "Wh", ts, "register");
        // energy the switch let flow back (a plug in front of a balcony panel), a register of its own
        add(out, s.path("ret_aenergy").get("total"), "energy_returned" + suffix, "energy_export", "Wh", ts, "register");
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
