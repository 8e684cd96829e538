package io.meterbase.core.store.memory;

import io.meterbase.core.store.DocumentStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Documents in memory, by kind and id in id order. */
final class MemoryDocuments implements DocumentStore {

    private final Map<String, TreeMap<String, String>> byKind = new TreeMap<>();

    @Override
    public synchronized void saveDocument(String kind, String id, String json) {
        byKind.computeIfAbsent(kind, k -> new TreeMap<>()).put(id, json);
    }

    @Override
    public synchronized void saveDocuments(String kind, Map<String, String> jsonById) {
        jsonById.forEach((id, json) -> saveDocument(kind, id, json));
    }

    @Override
    public synchronized void deleteDocument(String kind, String id) {
        TreeMap<String, String> docs = byKind.get(kind);
        if (docs != null) {
            docs.remove(id);
            if (docs.isEmpty()) {
                byKind.remove(kind);
            }
        }
    }

    @Override
    public synchronized Map<String, String> documents(String kind) {
        TreeMap<String, String> docs = byKind.get(kind);
        return docs == null ? new TreeMap<>() : new TreeMap<>(docs);
    }

    @Override
    public synchronized List<String> documentKinds() {
        return new ArrayList<>(byKind.keySet());
    }
}
