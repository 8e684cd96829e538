package io.meterbase.formats;

import io.meterbase.core.ingest.FormatRegistry;
import io.meterbase.formats.emoncms.EmoncmsDecoder;
import io.meterbase.formats.emoncms.EmoncmsInputs;
import io.meterbase.formats.json.MeterbaseAckDecoder;
import io.meterbase.formats.json.MeterbaseEventDecoder;
import io.meterbase.formats.json.MeterbaseJsonDecoder;
import io.meterbase.formats.senml.SenmlCborDecoder;
import io.meterbase.formats.senml.SenmlJsonDecoder;
import io.meterbase.formats.shelly.ShellyGen2Decoder;
import io.meterbase.formats.shelly.ShellyMessagesDecoder;
import io.meterbase.formats.tasmota.TasmotaDecoder;
import io.meterbase.formats.tasmota.TasmotaStatusDecoder;
import java.util.Map;

/**
 * The formats Meterbase understands out of the box. Each decoder brings its topics and media types, so a format
 * registered here is taken over HTTP, MQTT and CoAP alike. Where formats share a topic or media type, the one
 * registered first decodes what none recognises: Meterbase JSON before SenML JSON.
 */
public final class Formats {

    private Formats() {}

    /** A registry with every built-in decoder registered; emoncms nodes by the emonTx layout. */
    public static FormatRegistry builtIn() {
        return builtIn(new EmoncmsInputs(Map.of()));
    }

    /** A registry with every built-in decoder registered; emoncms nodes by the given layouts. */
    public static FormatRegistry builtIn(EmoncmsInputs emoncms) {
        return new FormatRegistry()
                .register(new MeterbaseJsonDecoder())
                .register(new SenmlJsonDecoder())
                .register(new SenmlCborDecoder())
                .register(new TasmotaDecoder())
                .register(new ShellyGen2Decoder())
                .register(new EmoncmsDecoder(emoncms))
                .register(new MeterbaseAckDecoder())
                .register(new MeterbaseEventDecoder())
                .register(new TasmotaStatusDecoder())
                .register(new ShellyMessagesDecoder());
    }
}
