package io.meterbase.app;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One documented configuration key: its name in files ({@code http.port}), its environment variable
 * ({@code MB_HTTP_PORT}), its default and what it means, with its unit or range. What a value must look like follows
 * from the default (true/false, a whole number, a port, an ISO-8601 duration, a size such as 512MB) or from the
 * {@code choices} given; {@link #problem} says what is wrong with a value before anything starts.
 */
public record Setting(String key, String defaultValue, String description, List<String> choices, boolean decimal) {

    private static final Pattern WHOLE = Pattern.compile("-?\\d+");
    private static final Pattern DECIMAL = Pattern.compile("\\d+(\\.\\d+)?");
    private static final Pattern SIZE = Pattern.compile("(?i)\\d+\\s*(B|KB|MB|GB)");

    public Setting {
        choices = List.copyOf(choices);
    }

    /** A setting whose kind follows from its default. */
    public Setting(String key, String defaultValue, String description) {
        this(key, defaultValue, description, List.of(), false);
    }

    /** A setting that takes one of a few words. */
    static Setting choice(String key, String defaultValue, String description, String... choices) {
        return new Setting(key, defaultValue, description, List.of(choices), false);
    }

    /** A setting that takes a number that need not be whole, such as 12.5. */
    static Setting decimal(String key, String defaultValue, String description) {
        return new Setting(key, defaultValue, description, List.of(), true);
    }

    /** The environment variable that overrides this key. */
    public String envName() {
        return "MB_" + key.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** What is wrong with {@code value} for this key, in one line naming the key; null when nothing is. */
    public @Nullable String problem(String value) {
        String v = value.trim();
        if (!choices.isEmpty()) {
            return choices.contains(v.toLowerCase(java.util.Locale.ROOT))
                    ? null
                    : key + ": must be " + String.join(" or ", choices) + "; was '" + value + "'";
        }
        if (decimal) {
            return DECIMAL.matcher(v).matches() ? null : key + ": must be a number such as 12.5; was '" + value + "'";
        }
        if (defaultValue.equals("true") || defaultValue.equals("false")) {
            return v.equals("true") || v.equals("false") ? null : key + ": must be true or false; was '" + value + "'";
        }
        if (WHOLE.matcher(defaultValue).matches()) {
            if (!WHOLE.matcher(v).matches() || v.length() > 18) {
                return key + ": must be a whole number; was '" + value + "'";
            }
            long n = Long.parseLong(v);
            if (key.endsWith("port") && (n < -1 || n > 65535)) {
                return key + ": a port within [0, 65535] (0 picks a free one); was " + n;
            }
            return null;
        }
        if (SIZE.matcher(defaultValue).matches()) {
            return SIZE.matcher(v).matches() || WHOLE.matcher(v).matches()
                    ? null
                    : key + ": must be a size such as 512MB; was '" + value + "'";
        }
        if (defaultValue.startsWith("P")) {
            try {
                Duration.parse(v);
                return null;
            } catch (DateTimeParseException e) {
                return key + ": must be an ISO-8601 duration such as PT5M or P1D; was '" + value + "'";
            }
        }
        return null;
    }
}
