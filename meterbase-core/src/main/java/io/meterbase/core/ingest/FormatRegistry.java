package io.meterbase.core.ingest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The formats Meterbase understands, keyed by name, and the one function that finds a payload's decoder for every
 * transport ({@link #route}). Adding a format is one decoder and one {@link #register} call: its topics and media
 * types come with it. Registered at start-up, then only read.
 */
public final class FormatRegistry {

    /** A decoder found for a payload, with the context it decodes in (topic levels bound). */
    public record Routed(MessageDecoder decoder, DecodeContext context) {}

    private record TopicEntry(TopicPattern pattern, MessageDecoder decoder) {}

    private final Map<String, MessageDecoder> decoders = new LinkedHashMap<>();
    private final List<TopicEntry> topics = new ArrayList<>();
    private final Map<String, List<MessageDecoder>> mediaTypes = new HashMap<>();

    public FormatRegistry register(MessageDecoder decoder) {
        if (decoders.putIfAbsent(decoder.format(), decoder) != null) {
            throw new IllegalArgumentException("decoder: format " + decoder.format() + " is registered already");
        }
        for (String pattern : decoder.topics()) {
            topics.add(new TopicEntry(TopicPattern.parse(pattern), decoder));
        }
        for (String type : decoder.mediaTypes()) {
            mediaTypes.computeIfAbsent(mediaType(type), t -> new ArrayList<>()).add(decoder);
        }
        return this;
    }

    public Optional<MessageDecoder> decoder(String format) {
        return Optional.ofNullable(decoders.get(format));
    }

    /** The names of the registered formats, sorted. */
    public Set<String> formats() {
        return new TreeSet<>(decoders.keySet());
    }

    /** The topic patterns of all formats, in registration order. */
    public List<TopicPattern> topicPatterns() {
        List<TopicPattern> out = new ArrayList<>(topics.size());
        for (TopicEntry e : topics) {
            out.add(e.pattern());
        }
        return out;
    }

    /** The media types some format is sent as, sorted. */
    public Set<String> mediaTypes() {
        return new TreeSet<>(mediaTypes.keySet());
    }

    /**
     * The decoder of a payload and the context it decodes in. By name, the format of that name; by topic, the
     * formats whose most specific pattern matches (binding its levels as fields, {@code device} as the device); by
     * media type, the formats sent as that type. Where several formats qualify, the first that recognises the
     * payload, else the first registered. Empty when no format qualifies.
     */
    public Optional<Routed> route(Via via, byte[] payload, DecodeContext context) {
        return switch (via) {
            case Via.Format f -> decoder(f.name()).map(d -> new Routed(d, context));
            case Via.MediaType m ->
                Optional.ofNullable(mediaTypes.get(mediaType(m.type())))
                        .map(candidates -> new Routed(pick(candidates, payload), context));
            case Via.Topic t -> byTopic(t.topic(), payload, context);
        };
    }

    private Optional<Routed> byTopic(String topic, byte[] payload, DecodeContext context) {
        int best = -1;
        List<MessageDecoder> candidates = new ArrayList<>();
        Map<MessageDecoder, Map<String, String>> bindings = new HashMap<>();
        String[] levels = TopicPattern.levels(topic);
        for (TopicEntry e : topics) {
            Optional<Map<String, String>> bound = e.pattern().match(levels);
            if (bound.isEmpty() || e.pattern().specificity() < best) {
                continue;
            }
            if (e.pattern().specificity() > best) {
                best = e.pattern().specificity();
                candidates.clear();
                bindings.clear();
            }
            if (bindings.putIfAbsent(e.decoder(), bound.get()) == null) {
                candidates.add(e.decoder());
            }
        }
        if (candidates.isEmpty()) {
            return Optional.empty();
        }
        MessageDecoder chosen = pick(candidates, payload);
        Map<String, String> fields = new HashMap<>(context.fields());
        fields.putAll(bindings.get(chosen));
        fields.put("topic", topic);
        String device = fields.getOrDefault("device", context.deviceRef());
        return Optional.of(new Routed(chosen, new DecodeContext(device, context.receivedAt(), fields)));
    }

    private static MessageDecoder pick(List<MessageDecoder> candidates, byte[] payload) {
        if (candidates.size() > 1) {
            for (MessageDecoder d : candidates) {
                if (d.recognises(payload)) {
                    return d;
                }
            }
        }
        return candidates.get(0);
    }

    /** A media type without its parameters, in lower case: {@code application/json; charset=utf-8} → {@code application/json}. */
    private static String mediaType(String type) {
        int semicolon = type.indexOf(';');
        return (semicolon < 0 ? type : type.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }
}
