package io.meterbase.core.store;

import java.util.List;
import java.util.Map;

/**
 * Durable documents of the services (tariffs, commands, schedules, demand-response programs, alarm rules, accounts,
 * analytics results), kept as JSON text by kind and id. Saves insert or replace and are durable on return.
 * Thread-safe; all methods block.
 */
public interface DocumentStore {

    /** Saves a document, replacing the one of the same kind and id. */
    void saveDocument(String kind, String id, String json);

    /** Saves many documents of a kind at once (in one transaction where the store has them). */
    default void saveDocuments(String kind, Map<String, String> jsonById) {
        jsonById.forEach((id, json) -> saveDocument(kind, id, json));
    }

    /**
     * Saves a document unless one of that kind and id is stored already, in one step that nodes sharing the store
     * cannot interleave: the way several nodes agree on who does something once (the node whose document was
     * saved). Returns the document stored before, or empty when this one was saved.
     */
    default java.util.Optional<String> saveDocumentIfAbsent(String kind, String id, String json) {
        synchronized (this) {
            java.util.Optional<String> before = document(kind, id);
            if (before.isEmpty()) {
                saveDocument(kind, id, json);
            }
            return before;
        }
    }

    /**
     * Replaces a document only if one of that kind and id is stored (a document another node deleted stays
     * deleted); returns whether it was replaced.
     */
    default boolean replaceDocument(String kind, String id, String json) {
        synchronized (this) {
            if (document(kind, id).isEmpty()) {
                return false;
            }
            saveDocument(kind, id, json);
            return true;
        }
    }

    /**
     * Replaces a document only if it is still exactly {@code expected} (as read before), in one step that nodes
     * sharing the store cannot interleave: the way a count kept in a document (wrong passwords) misses no one's
     * change. Returns whether it was replaced; when not, read it again and decide again.
     */
    default boolean compareAndReplace(String kind, String id, String expected, String json) {
        synchronized (this) {
            if (!document(kind, id).map(expected::equals).orElse(false)) {
                return false;
            }
            saveDocument(kind, id, json);
            return true;
        }
    }

    /** Removes a document; nothing happens when there is none. */
    void deleteDocument(String kind, String id);

    /** The documents of a kind, by id in id order. */
    Map<String, String> documents(String kind);

    /** One document of a kind, by id. */
    default java.util.Optional<String> document(String kind, String id) {
        return java.util.Optional.ofNullable(documents(kind).get(id));
    }

    /** The kinds that have documents. */
    List<String> documentKinds();
}
