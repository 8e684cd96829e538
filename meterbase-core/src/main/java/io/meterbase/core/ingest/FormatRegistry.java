package io.meterbase.core.ingest;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/** The payload decoders, keyed by format name. Adding a format is one decoder and one {@link #register} call. */
public final class FormatRegistry {

    private final Map<String, PayloadDecoder> decoders = new TreeMap<>();

    public FormatRegistry register(PayloadDecoder decoder) {
        if (decoders.putIfAbsent(decoder.format(), decoder) != null) {
            throw new IllegalArgumentException("decoder: format " + decoder.format() + " is registered already");
        }
        return this;
    }

    public Optional<PayloadDecoder> decoder(String format) {
        return Optional.ofNullable(decoders.get(format));
    }

    public Set<String> formats() {
        return decoders.keySet();
    }
}
