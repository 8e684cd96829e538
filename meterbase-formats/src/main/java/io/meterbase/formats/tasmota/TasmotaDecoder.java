package io.meterbase.formats.tasmota;

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
import java.util.Locale;
import java.util.Map;

/**
 * Tasmota's {@code tele/<topic>/SENSOR} telemetry. From {@code ENERGY}: {@code Total} (kWh, a cumulative
 * register), {@code Export} (kWh sent to the grid, a register of its own: {@code energy_export}), {@code Power} (W), {@code ApparentPower}, {@code ReactivePower}, {@code Factor}, {@code Voltage},
 * {@code Current}, {@code Frequency}; arrays of multi-channel devices become channels {@code _1}, {@code _2}, ....
 * {@code Today}, {@code Yesterday} and {@code Period} are derived from {@code Total} and not stored. Other sensors'
 * {@code Temperature} (in {@code TempUnit}), {@code Humidity} and {@code Illuminance} become channels named
 * after the sensor. Tasmota's {@code Time} has no time zone, so readings take the receipt time. The device is
 * the transport's ({@code <topic>}).
 */
public final class TasmotaDecoder extends JsonDecoder implements PayloadDecoder {

    public static final String FORMAT = "tasmota";

    /** ENERGY field, channel name, quantity, unit, kind. */
    private static final List<String[]> ENERGY = List.of(
            new String[] {"Total", "energy", "energy_import", "kWh", "register"},
            new String[] {"Export", "energy_export", "energy_export", "kWh", "register"},
            new String[] {"Power", "active_power", "active_power", "W", null},
            new String[] {"ApparentPower", "apparent_power", "apparent_power", "VA", null},
            new String[] {"ReactivePower", "reactive_power", "reactive_power", "var", null},
            new String[] {"Factor", "power_factor", "power_factor", "/", null},
            new String[] {"Voltage", "voltage", "voltage", "V", null},
            new String[] {"Current", "current", "current", "A", null},
            new String[] {"Frequency", "frequency", "frequency", "Hz", null});

    private static final Map<String, String[]> SENSOR_FIELDS = Map.of(
            "Temperature", new String[] {"temperature", null},
            "Humidity", new String[] {"humidity", "%RH"},
            "Illuminance", new String[] {"illuminance", "lx"});

    public TasmotaDecoder() {
        super(FORMAT, "Tasmota", "tele/{device}/SENSOR");
    }

    @Override
    public Upload decode(byte[] payload, DecodeContext context) throws DecodeException {
        if (context.deviceRef() == null || context.deviceRef().isBlank()) {
            throw new DecodeException(
                    "a Tasmota payload names no device: send it on tele/<topic>/SENSOR or with ?device=");
        }
        JsonNode root = tree(payload);
        if (root == null || !root.isObject()) {
            throw new DecodeException("a Tasmota SENSOR payload is a JSON object");
        }
        long ts = context.receivedAt();
        List<RawReading> readings = new ArrayList<>();
        JsonNode energy = root.get("ENERGY");
        if (energy != null && energy.isObject()) {
            for (String[] f : ENERGY) {
                JsonNode v = energy.get(f[0]);
                if (v == null) {
                    continue;
                }
                if (v.isArray()) {
                    for (int i = 0; i < v.size(); i++) {
                        readings.add(new RawReading(f[1] + "_" + (i + 1), f[2], f[3], number(v.get(i)), ts, f[4]));
                    }
                } else {
                    readings.add(new RawReading(f[1], f[2], f[3], number(v), ts, f[4]));
                }
            }
        }
        String tempUnit = root.path("TempUnit").asText("C").equals("F") ? "°F" : "Cel";
        for (Map.Entry<String, JsonNode> sensor : root.properties()) {
            if (sensor.getKey().equals("ENERGY") || !sensor.getValue().isObject()) {
                continue;
            }
            String prefix = sensor.getKey().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
            for (Map.Entry<String, String[]> f : SENSOR_FIELDS.entrySet()) {
                JsonNode v = sensor.getValue().get(f.getKey());
                if (v != null) {
                    String unit = f.getValue()[1] == null ? tempUnit : f.getValue()[1];
                    readings.add(
                            new RawReading(prefix + "_" + f.getValue()[0], f.getValue()[0], unit, number(v), ts, null));
                }
            }
        }
        if (readings.isEmpty()) {
            throw new DecodeException("the Tasmota payload holds no ENERGY or sensor values");
        }
        return new Upload(null, List.of(new NodeReport(context.deviceRef(), null, "smart_plug", null, readings)));
    }

    private static double number(JsonNode v) {
        return v != null && v.isNumber() ? v.asDouble() : Double.NaN;
    }
}
