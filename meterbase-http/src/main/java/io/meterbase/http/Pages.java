package io.meterbase.http;

import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Server-side search and paging of a list, asked with {@code ?q=} (found in an item's text, any case),
 * {@code ?offset=} and {@code ?limit=} (at most 500): the answer is {@code {"total", "offset", "limit", "items"}}.
 * Without {@code q}, {@code offset} or {@code limit} a route answers its whole list as before.
 */
final class Pages {

    static final int MAX_LIMIT = 500;

    private Pages() {}

    /** Whether the request asks for a page. */
    static boolean asked(Context ctx) {
        return ctx.queryParam("q") != null || ctx.queryParam("limit") != null || ctx.queryParam("offset") != null;
    }

    /**
     * The page of {@code items} (already in their order) whose {@code text} holds {@code ?q=} (spaces as one), each
     * written by {@code json}.
     */
    static <T> Map<String, Object> page(
            Context ctx, List<T> items, Function<T, String> text, Function<T, Object> json) {
        int limit = Requests.integer(ctx, "limit", 50, 1, MAX_LIMIT);
        int offset = Requests.integer(ctx, "offset", 0, 0, Integer.MAX_VALUE);
        String q = ctx.queryParam("q");
        String phrase = q == null ? "" : q.toLowerCase(Locale.ROOT).trim().replaceAll("\\s+", " ");
        Predicate<T> matches = item ->
                phrase.isEmpty() || text.apply(item).toLowerCase(Locale.ROOT).contains(phrase);
        int total = 0;
        List<Object> page = new java.util.ArrayList<>();
        for (T item : items) {
            if (matches.test(item)) {
                if (total >= offset && page.size() < limit) {
                    page.add(json.apply(item));
                }
                total++;
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("total", total);
        out.put("offset", offset);
        out.put("limit", limit);
        out.put("items", page);
        return out;
    }
}
