package io.meterbase.core.store;

import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Brings a service's in-memory copy of one kind of documents up to date with what other nodes sharing the store
 * changed: the documents {@link StoreChanges} names are read again (put, or removed when deleted); when the changes
 * may have been missed, every document of the kind is read again and those no longer stored are removed.
 */
public final class DocumentCache {

    private DocumentCache() {}

    /**
     * @param known the ids the service holds now (a copy is taken)
     * @param put takes in a document by id and JSON
     * @param remove forgets a document by id
     */
    public static void refresh(
            DocumentStore store,
            String kind,
            StoreChanges changes,
            Set<String> known,
            BiConsumer<String, String> put,
            Consumer<String> remove) {
        if (changes.missed()) {
            Map<String, String> all = store.documents(kind);
            for (String id : Set.copyOf(known)) {
                if (!all.containsKey(id)) {
                    remove.accept(id);
                }
            }
            all.forEach(put);
            return;
        }
        for (String id : changes.documentIds(kind)) {
            store.document(kind, id).ifPresentOrElse(json -> put.accept(id, json), () -> remove.accept(id));
        }
    }

    /** Whether the changes may concern documents of a kind. */
    public static boolean touches(StoreChanges changes, String kind) {
        return changes.missed() || !changes.documentIds(kind).isEmpty();
    }
}
