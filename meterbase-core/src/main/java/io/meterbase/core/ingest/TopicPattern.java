package io.meterbase.core.ingest;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * An MQTT topic pattern that binds levels to names: its levels, separated by {@code /}, are literal
 * ({@code tele}), a name in braces that binds the whole level ({@code {device}}), a literal prefix and a name
 * ({@code switch:{id}}), or a final {@code #} that matches any further levels. A bound level is never empty.
 * Patterns with more literal text are more specific, so {@code tele/{device}/SENSOR} wins over
 * {@code tele/{device}/{message}}.
 */
public final class TopicPattern {

    private final String text;
    private final String[] prefixes;
    private final String[] names;
    private final boolean rest;
    private final int specificity;

    private TopicPattern(String text, String[] prefixes, String[] names, boolean rest, int specificity) {
        this.text = text;
        this.prefixes = prefixes;
        this.names = names;
        this.rest = rest;
        this.specificity = specificity;
    }

    /** Parses a pattern; throws {@link IllegalArgumentException} for one that is not well formed. */
    public static TopicPattern parse(String pattern) {
        String[] levels = pattern.split("/", -1);
        boolean rest = levels[levels.length - 1].equals("#");
        int n = rest ? levels.length - 1 : levels.length;
        String[] prefixes = new String[n];
        String[] names = new String[n];
        int specificity = 0;
        for (int i = 0; i < n; i++) {
            String level = levels[i];
            int open = level.indexOf('{');
            if (open < 0) {
                if (level.isEmpty() || level.contains("}") || level.contains("+") || level.contains("#")) {
                    throw new IllegalArgumentException("pattern: level " + i + " of '" + pattern + "' is not allowed");
                }
                prefixes[i] = level;
                specificity += 2 * level.length();
            } else {
                if (!level.endsWith("}") || open + 2 >= level.length() || level.indexOf('{', open + 1) >= 0) {
                    throw new IllegalArgumentException(
                            "pattern: level " + i + " of '" + pattern + "' must be literal, {name} or prefix{name}");
                }
                prefixes[i] = level.substring(0, open);
                names[i] = level.substring(open + 1, level.length() - 1);
                specificity += prefixes[i].length();
            }
        }
        return new TopicPattern(pattern, prefixes, names, rest, specificity);
    }

    /** The levels a topic binds, when it matches. */
    public Optional<Map<String, String>> match(String topic) {
        return match(levels(topic));
    }

    /** A topic's levels, split once for matching it against many patterns. */
    public static String[] levels(String topic) {
        return topic.split("/", -1);
    }

    /** The levels a topic (given as its {@link #levels}) binds, when it matches. */
    public Optional<Map<String, String>> match(String[] levels) {
        if (!matches(levels)) {
            return Optional.empty();
        }
        Map<String, String> bound = new HashMap<>();
        for (int i = 0; i < prefixes.length; i++) {
            if (names[i] != null) {
                bound.put(names[i], levels[i].substring(prefixes[i].length()));
            }
        }
        return Optional.of(bound);
    }

    /** Whether a topic (given as its {@link #levels}) matches; allocates nothing. */
    public boolean matches(String[] levels) {
        if (levels.length < prefixes.length || !rest && levels.length != prefixes.length) {
            return false;
        }
        for (int i = 0; i < prefixes.length; i++) {
            String level = levels[i];
            if (names[i] == null) {
                if (!level.equals(prefixes[i])) {
                    return false;
                }
            } else if (!level.startsWith(prefixes[i]) || level.length() == prefixes[i].length()) {
                return false;
            }
        }
        return true;
    }

    /** The literal first level, or null when the first level binds a name: what an index of patterns keys on. */
    public @Nullable String firstLiteral() {
        return names.length > 0 && names[0] == null ? prefixes[0] : null;
    }

    /** The device a matching topic names ({@code {device}}), or null when the pattern names none. */
    public @Nullable String device(String[] levels) {
        for (int i = 0; i < names.length; i++) {
            if ("device".equals(names[i])) {
                return levels[i].substring(prefixes[i].length());
            }
        }
        return null;
    }

    /** Whether the pattern names the device that sends on it ({@code {device}}). */
    public boolean namesDevice() {
        for (String name : names) {
            if ("device".equals(name)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The MQTT topic filter of the topics this pattern matches for one device: {@code {device}} replaced by it, other
     * bound levels by {@code +}; e.g. {@code tele/{device}/{message}} for {@code plug} is {@code tele/plug/+}.
     */
    public String filter(String device) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < prefixes.length; i++) {
            if (i > 0) {
                out.append('/');
            }
            out.append(names[i] == null ? prefixes[i] : "device".equals(names[i]) ? prefixes[i] + device : "+");
        }
        return rest ? out.append("/#").toString() : out.toString();
    }

    /** How much literal text the pattern has: the more, the more specific. */
    public int specificity() {
        return specificity;
    }

    @Override
    public String toString() {
        return text;
    }
}
