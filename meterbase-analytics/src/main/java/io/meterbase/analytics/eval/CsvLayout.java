package io.meterbase.analytics.eval;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The columns of a delimited file, found by name in its header (in any case, quoted or not). A loader names the
 * columns it needs; a file whose header lacks one is refused with what was expected and what was found, so that a
 * file in another layout is never read by position into the wrong figures.
 */
public final class CsvLayout {

    private final String source;
    private final Pattern separator;
    private final Map<String, Integer> columns;

    private CsvLayout(String source, Pattern separator, Map<String, Integer> columns) {
        this.source = source;
        this.separator = separator;
        this.columns = columns;
    }

    /**
     * The layout of {@code header}, which must name every one of {@code required}.
     *
     * @throws IOException when the file has no header or lacks a required column
     */
    public static CsvLayout of(String source, @Nullable String header, char separator, String... required)
            throws IOException {
        if (header == null) {
            throw new IOException(source + ": the file is empty (a header line naming its columns was expected)");
        }
        Pattern sep = Pattern.compile(Pattern.quote(String.valueOf(separator)));
        String[] names = sep.split(header, -1);
        Map<String, Integer> columns = new HashMap<>();
        for (int i = 0; i < names.length; i++) {
            columns.putIfAbsent(normalise(names[i]), i);
        }
        List<String> missing = new ArrayList<>();
        for (String r : required) {
            if (!columns.containsKey(normalise(r))) {
                missing.add(r);
            }
        }
        if (!missing.isEmpty()) {
            throw new IOException(source + ": layout not recognised: the columns " + String.join(", ", required)
                    + " are needed and " + String.join(", ", missing) + " are missing; the header is: "
                    + header.strip());
        }
        return new CsvLayout(source, sep, columns);
    }

    /** The index of a column named when the layout was made. */
    public int column(String name) {
        Integer i = columns.get(normalise(name));
        if (i == null) {
            throw new IllegalArgumentException(source + " has no column " + name);
        }
        return i;
    }

    /** The fields of a data line, unquoted. */
    public String[] fields(String line) {
        String[] f = separator.split(line, -1);
        for (int i = 0; i < f.length; i++) {
            f[i] = unquote(f[i]);
        }
        return f;
    }

    private static String normalise(String name) {
        return unquote(name).toLowerCase(Locale.ROOT);
    }

    private static String unquote(String s) {
        String t = s.strip();
        if (t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"")) {
            t = t.substring(1, t.length() - 1).strip();
        }
        return t;
    }
}
