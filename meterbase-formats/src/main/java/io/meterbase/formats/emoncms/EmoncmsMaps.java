package io.meterbase.formats.emoncms;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.meterbase.core.ingest.InputMaps;
import io.meterbase.core.ingest.Upload;
import io.meterbase.core.store.DocumentStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Each customer's emonhub input map ({@link EmoncmsMap}), kept in the store (documents of kind {@value #KIND}, one per
 * customer) and cached here for {@link #CACHED_MILLIS} ms: a change made on this node applies at once, one made on
 * another within that time.
 */
public final class EmoncmsMaps implements InputMaps {

    public static final String KIND = "input-map-emoncms";
    static final long CACHED_MILLIS = 10_000;
    /** Entries a customer may keep at most. */
    static final int MAX_ENTRIES = 200;

    private static final ObjectMapper JSON = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    /** What is stored and answered: the customer's entries (and, when answered, the built-in ones after them). */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    record Stored(
            @Nullable List<EmoncmsMap.Entry> inputs,
            @Nullable List<EmoncmsMap.Entry> defaults) {}

    private record Cached(long at, EmoncmsMap map) {}

    private final DocumentStore store;
    private final Clock clock;
    private final Map<Long, Cached> cache = new ConcurrentHashMap<>();

    public EmoncmsMaps(DocumentStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    @Override
    public Set<String> formats() {
        return Set.of(EmoncmsDecoder.FORMAT);
    }

    @Override
    public Upload map(long customerId, String format, Upload upload) {
        if (!format.equals(EmoncmsDecoder.FORMAT)) {
            return upload;
        }
        return mapOf(customerId).apply(upload);
    }

    /** The customer's map, from the cache while it is fresh. */
    EmoncmsMap mapOf(long customerId) {
        long now = clock.millis();
        Cached c = cache.get(customerId);
        if (c != null && now - c.at() < CACHED_MILLIS && now >= c.at()) {
            return c.map();
        }
        EmoncmsMap map = store.document(KIND, String.valueOf(customerId))
                .map(EmoncmsMaps::read)
                .orElse(new EmoncmsMap(List.of()));
        cache.put(customerId, new Cached(now, map));
        return map;
    }

    private static EmoncmsMap read(String json) {
        try {
            List<EmoncmsMap.Entry> inputs = JSON.readValue(json, Stored.class).inputs();
            return new EmoncmsMap(inputs == null ? List.of() : inputs);
        } catch (JsonProcessingException e) {
            // a map this version cannot read maps nothing: the inputs are refused with their names, not lost
            return new EmoncmsMap(List.of());
        }
    }

    @Override
    public String get(long customerId, String format) {
        check(format);
        try {
            return JSON.writeValueAsString(
                    new Stored(mapOf(customerId).entries(), new ArrayList<>(EmoncmsMap.DEFAULTS)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void put(long customerId, String format, String json) {
        check(format);
        Stored given;
        try {
            given = JSON.readValue(json, Stored.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the map is not {\"inputs\": [{\"input\", \"quantity\", \"unit\","
                    + " \"kind\", \"channel\", \"device\", \"category\", \"scale\", \"node\"}, ...]}: "
                    + e.getOriginalMessage());
        }
        List<EmoncmsMap.Entry> entries = given.inputs() == null ? List.of() : given.inputs();
        if (entries.size() > MAX_ENTRIES) {
            throw new IllegalArgumentException("inputs: at most " + MAX_ENTRIES + " entries");
        }
        for (int i = 0; i < entries.size(); i++) {
            EmoncmsMap.Entry e = entries.get(i);
            String problem = e == null ? "an entry is needed" : e.problem();
            if (problem != null) {
                throw new IllegalArgumentException("inputs[" + i + "]: " + problem);
            }
        }
        try {
            store.saveDocument(KIND, String.valueOf(customerId), JSON.writeValueAsString(new Stored(entries, null)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        cache.put(customerId, new Cached(clock.millis(), new EmoncmsMap(entries)));
    }

    private static void check(String format) {
        if (!format.equals(EmoncmsDecoder.FORMAT)) {
            throw new IllegalArgumentException("format '" + format + "' has no input map (emoncms has)");
        }
    }
}
