package io.meterbase.core.model;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** Lenient parsing of enum names as devices and people write them: {@code air_conditioner}, {@code Air-Conditioner}. */
final class Names {

    private Names() {}

    /** The constant named by {@code text} (case, dashes and spaces ignored), or {@code fallback}. */
    static <E extends Enum<E>> E parse(Class<E> type, @Nullable String text, E fallback) {
        if (text == null || text.isBlank()) {
            return fallback;
        }
        String normal = text.trim().toUpperCase(Locale.ROOT).replace('-', '_').replace(' ', '_');
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equals(normal)) {
                return constant;
            }
        }
        return fallback;
    }
}
