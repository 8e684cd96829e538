package io.meterbase.formats;

import io.meterbase.core.ingest.FormatRegistry;
import io.meterbase.formats.json.MeterbaseJsonDecoder;
import io.meterbase.formats.senml.SenmlCborDecoder;
import io.meterbase.formats.senml.SenmlJsonDecoder;
import io.meterbase.formats.shelly.ShellyGen2Decoder;
import io.meterbase.formats.tasmota.TasmotaDecoder;

/** The payload formats Meterbase understands out of the box. */
public final class Formats {

    private Formats() {}

    /** A registry with every built-in decoder registered. */
    public static FormatRegistry builtIn() {
        return new FormatRegistry()
                .register(new MeterbaseJsonDecoder())
                .register(new SenmlJsonDecoder())
                .register(new SenmlCborDecoder())
                .register(new TasmotaDecoder())
                .register(new ShellyGen2Decoder());
    }
}
