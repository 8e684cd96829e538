package io.meterbase.core.registry;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.meterbase.core.model.Category;
import io.meterbase.core.model.DeviceType;
import io.meterbase.core.registry.Registry.PendingDevice;
import io.meterbase.core.store.DocumentStore;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Devices that reported without being registered ({@code ingest.unknown-devices=hold}), held until their owner or an
 * operator approves them. They are documents of kind {@value #KIND} (id {@code <customer>/<ref>}), so that every
 * node sharing the store lists and approves the same ones, and a restart keeps them. A held device keeps sending;
 * its document is written once, and again at most once a minute by a node that did not write it lately.
 * Thread-safe.
 */
final class HeldDevices {

    private static final Logger LOG = LoggerFactory.getLogger(HeldDevices.class);
    static final String KIND = "held-device";
    private static final Duration WRITE_AGAIN_AFTER = Duration.ofMinutes(1);
    private static final JsonFactory JSON = new JsonFactory();

    private final DocumentStore store;
    private final Clock clock;
    /** When this node last made sure a held device's document exists, by id. */
    private final Map<String, Instant> written = new ConcurrentHashMap<>();

    HeldDevices(DocumentStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** Holds a device (kept once, with what it first said). */
    void hold(PendingDevice device) {
        String id = id(device.customerId(), device.ref());
        Instant now = clock.instant();
        Instant last = written.get(id);
        if (last != null && last.plus(WRITE_AGAIN_AFTER).isAfter(now)) {
            return;
        }
        store.saveDocumentIfAbsent(KIND, id, write(device));
        written.put(id, now);
        if (written.size() > 10_000) {
            written.values().removeIf(at -> at.plus(WRITE_AGAIN_AFTER).isBefore(now));
        }
    }

    /** The held devices of a customer (0: of all), first seen first. */
    List<PendingDevice> list(long customerId) {
        List<PendingDevice> out = new ArrayList<>();
        store.documents(KIND).forEach((id, json) -> read(id, json).ifPresent(d -> {
            if (customerId == 0 || d.customerId() == customerId) {
                out.add(d);
            }
        }));
        out.sort(Comparator.comparing(PendingDevice::firstSeen));
        return out;
    }

    /** Takes a held device out to register it; empty when it is not held (or another node took it). */
    Optional<PendingDevice> take(long customerId, String ref) {
        String id = id(customerId, ref);
        Optional<PendingDevice> held = store.document(KIND, id).flatMap(json -> read(id, json));
        if (held.isPresent()) {
            store.deleteDocument(KIND, id);
            written.remove(id);
        }
        return held;
    }

    /** Holds a device again whose registration failed: the approval can be asked again. */
    void putBack(PendingDevice device) {
        store.saveDocumentIfAbsent(KIND, id(device.customerId(), device.ref()), write(device));
    }

    private static String id(long customerId, String ref) {
        return customerId + "/" + ref;
    }

    private static String write(PendingDevice d) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("customer_id", d.customerId());
            g.writeStringField("ref", d.ref());
            g.writeStringField("name", d.name());
            g.writeStringField("type", d.type().name().toLowerCase(java.util.Locale.ROOT));
            g.writeStringField("category", d.category().key());
            g.writeStringField("gateway", d.gatewayRef());
            g.writeStringField("first_seen", d.firstSeen().toString());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** A stored held device; an unreadable document is logged and skipped (it is removed at approval). */
    private static Optional<PendingDevice> read(String id, String json) {
        Map<String, @Nullable String> f = new HashMap<>();
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("not an object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (value.isStructStart()) {
                    p.skipChildren();
                } else {
                    f.put(name, value == JsonToken.VALUE_NULL ? null : p.getText());
                }
            }
            String customer = f.get("customer_id");
            String ref = f.get("ref");
            String firstSeen = f.get("first_seen");
            if (customer == null || ref == null || firstSeen == null) {
                throw new IOException("customer_id, ref and first_seen are needed");
            }
            return Optional.of(new PendingDevice(
                    Long.parseLong(customer),
                    ref,
                    f.get("name"),
                    DeviceType.parse(f.get("type")),
                    Category.parse(f.get("category")),
                    f.get("gateway"),
                    Instant.parse(firstSeen)));
        } catch (IOException | RuntimeException e) {
            LOG.warn("Held device {} is unreadable ({}); skipped", id, e.getMessage());
            return Optional.empty();
        }
    }
}
