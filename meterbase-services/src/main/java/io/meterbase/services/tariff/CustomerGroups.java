package io.meterbase.services.tariff;

import io.meterbase.core.api.tariff.GroupsApi;
import io.meterbase.core.api.tariff.Tariff;
import io.meterbase.core.store.DocumentStore;
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
