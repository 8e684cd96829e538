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
    /** The topic entries by their literal first level; those whose first level binds a name under "". */
    private final Map<String, List<TopicEntry>> topicsByFirst = new HashMap<>();

    private final Map<String, List<MessageDecoder>> mediaTypes = new HashMap<>();

    public FormatRegistry register(MessageDecoder decoder) {
        if (decoders.putIfAbsent(decoder.format(), decoder) != null) {
            throw new IllegalArgumentException("decoder: format " + decoder.format() + " is registered already");
        }
        for (String pattern : decoder.topics()) {
            TopicEntry entry = new TopicEntry(TopicPattern.parse(pattern), decoder);
            topics.add(entry);
            String first = entry.pattern().firstLiteral();
            topicsByFirst
                    .computeIfAbsent(first == null ? "" : first, k -> new ArrayList<>())
                    .add(entry);
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
        String[] levels = TopicPattern.levels(topic);
        int best = -1;
        List<TopicEntry> found = new ArrayList<>(2);
        for (List<TopicEntry> entries :
                List.of(topicsByFirst.getOrDefault(levels[0], List.of()), topicsByFirst.getOrDefault("", List.of()))) {
            for (TopicEntry e : entries) {
                int specificity = e.pattern().specificity();
                if (specificity < best || !e.pattern().matches(levels)) {
                    continue;
                }
                if (specificity > best) {
                    best = specificity;
                    found.clear();
                }
                found.add(e);
            }
        }
        if (found.isEmpty()) {
            return Optional.empty();
        }
        List<MessageDecoder> candidates = new ArrayList<>(found.size());
        for (TopicEntry e : registrationOrder(found)) {
            if (!candidates.contains(e.decoder())) {
                candidates.add(e.decoder());
            }
        }
        MessageDecoder chosen = pick(candidates, payload);
        TopicPattern pattern = null;
        for (TopicEntry e : found) {
            if (e.decoder() == chosen) {
                pattern = e.pattern();
                break;
            }
        }
        Map<String, String> fields = new HashMap<>(context.fields());
        fields.putAll(java.util.Objects.requireNonNull(pattern).match(levels).orElseThrow());
        fields.put("topic", topic);
        String device = fields.getOrDefault("device", context.deviceRef());
        return Optional.of(new Routed(chosen, new DecodeContext(device, context.receivedAt(), fields)));
    }

    /** Entries in the order their decoders were registered (the first registered decodes what none recognises). */
    private List<TopicEntry> registrationOrder(List<TopicEntry> entries) {
        if (entries.size() > 1) {
            entries.sort(java.util.Comparator.comparingInt(e -> topics.indexOf(e)));
        }
        return entries;
    }

    /**
     * The topic patterns that may match a topic (given as its {@link TopicPattern#levels}): those whose literal
     * first level is the topic's, and those whose first level binds a name.
     */
    public List<TopicPattern> topicPatterns(String[] levels) {
        List<TopicPattern> out = new ArrayList<>();
        for (TopicEntry e : topicsByFirst.getOrDefault(levels[0], List.of())) {
            out.add(e.pattern());
        }
        for (TopicEntry e : topicsByFirst.getOrDefault("", List.of())) {
            out.add(e.pattern());
        }
        return out;
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
