package io.meterbase.formats;

import io.meterbase.core.ingest.FormatRegistry;
import io.meterbase.formats.json.MeterbaseJsonDecoder;

/** The payload formats Meterbase understands out of the box. */
public final class Formats {

    private Formats() {}

    /** A registry with every built-in decoder registered. */
    public static FormatRegistry builtIn() {
        return new FormatRegistry().register(new MeterbaseJsonDecoder());
    }
}
