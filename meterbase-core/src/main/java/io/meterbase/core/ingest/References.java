package io.meterbase.core.ingest;

import org.jspecify.annotations.Nullable;

/**
 * What senders may call their gateways, devices and channels, and what display names may hold. References end up
 * in MQTT topics, URLs, file names of exports and the pages, so they are kept to letters, digits and
 * {@code . _ : @ -} (channels also spaces and {@code /}), at most {@value #MAX_LENGTH} characters: no control or
 * bidirectional-override characters, no MQTT wildcards or {@code $SYS}, no path steps such as {@code ../}.
 */
public final class References {

    /** Characters a reference may have at most. */
    public static final int MAX_LENGTH = 64;
    /** Characters a display name may have at most. */
    public static final int MAX_NAME_LENGTH = 128;

    private References() {}

    /** Why {@code ref} cannot name a gateway or device ({@code what} says which), or null when it can. */
    public static @Nullable String problem(String what, @Nullable String ref) {
        return check(what, ref, false);
    }

    /** Why {@code name} cannot name a channel, or null when it can. */
    public static @Nullable String channelProblem(@Nullable String name) {
        return check("channel", name, true);
    }

    /** Why {@code name} cannot be shown as a device's name, or null when it can (null names are fine). */
    public static @Nullable String nameProblem(@Nullable String name) {
        if (name == null) {
            return null;
        }
        if (name.codePointCount(0, name.length()) > MAX_NAME_LENGTH) {
            return "name is longer than " + MAX_NAME_LENGTH + " characters";
        }
        for (int i = 0; i < name.length(); ) {
            int cp = name.codePointAt(i);
            int type = Character.getType(cp);
            if (type == Character.CONTROL || type == Character.FORMAT || type == Character.UNASSIGNED) {
                return String.format("name holds the control or formatting character U+%04X", cp);
            }
            i += Character.charCount(cp);
        }
        return null;
    }

    private static @Nullable String check(String what, @Nullable String ref, boolean channel) {
        if (ref == null || ref.isBlank()) {
            return what + " reference is empty";
        }
        int length = ref.codePointCount(0, ref.length());
        if (length > MAX_LENGTH) {
            return what + " reference is " + length + " characters long; at most " + MAX_LENGTH + " are allowed";
        }
        for (int i = 0; i < ref.length(); ) {
            int cp = ref.codePointAt(i);
            boolean ok =
                    Character.isLetterOrDigit(cp) || "._:@-".indexOf(cp) >= 0 || channel && (cp == ' ' || cp == '/');
            if (!ok) {
                return String.format(
                        "%s reference '%s' holds U+%04X; use letters, digits and . _ : @ -%s",
                        what, printable(ref), cp, channel ? " (and spaces, /)" : "");
            }
            i += Character.charCount(cp);
        }
        if (ref.contains("..") || ref.startsWith("/") || ref.endsWith("/")) {
            return what + " reference '" + ref + "' is not a plain name";
        }
        return null;
    }

    /** The reference with anything but plain visible characters replaced, for messages. */
    private static String printable(String ref) {
        StringBuilder sb = new StringBuilder();
        ref.codePoints().limit(MAX_LENGTH).forEach(cp -> {
            int type = Character.getType(cp);
            sb.appendCodePoint(
                    type == Character.CONTROL || type == Character.FORMAT || type == Character.UNASSIGNED ? '?' : cp);
        });
        return sb.toString();
    }
}
