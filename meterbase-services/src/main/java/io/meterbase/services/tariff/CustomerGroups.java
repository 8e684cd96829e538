package io.meterbase.services.tariff;

import io.meterbase.core.api.tariff.GroupsApi;
import io.meterbase.core.api.tariff.Tariff;
import io.meterbase.core.store.DocumentCache;
import io.meterbase.core.store.DocumentStore;
import io.meterbase.core.store.StoreChanges;
import io.meterbase.services.json.ControlJson;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Which customer group (residential, business, …) each customer is in; tariffs are set per group. */
public final class CustomerGroups implements GroupsApi {

    /** The group of a customer put in none. */
    public static final String DEFAULT = Tariff.DEFAULT_GROUP;

    private static final String KIND = "customer-group";

    private final DocumentStore store;
    private final Map<Long, String> groups = new ConcurrentHashMap<>();

    public CustomerGroups(DocumentStore store) {
        this.store = store;
        store.documents(KIND)
                .forEach((id, json) -> groups.put(Long.parseLong(id), ControlJson.read(json, String.class)));
    }

    /** Takes in the groups other nodes sharing the store set. */
    public void refresh(StoreChanges changes) {
        java.util.Set<String> known = new java.util.HashSet<>();
        groups.keySet().forEach(id -> known.add(Long.toString(id)));
        DocumentCache.refresh(
                store,
                KIND,
                changes,
                known,
                (id, json) -> groups.put(Long.parseLong(id), ControlJson.read(json, String.class)),
                id -> groups.remove(Long.parseLong(id)));
    }

    public String of(long customerId) {
        return groups.getOrDefault(customerId, DEFAULT);
    }

    public void assign(long customerId, String group) {
        if (group == null || !group.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("a group name is 1-64 letters, digits or . _ -");
        }
        store.saveDocument(KIND, Long.toString(customerId), ControlJson.write(group));
        groups.put(customerId, group);
    }
}
