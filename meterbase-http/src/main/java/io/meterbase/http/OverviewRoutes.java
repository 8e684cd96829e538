package io.meterbase.http;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.meterbase.core.api.alarm.Alarm;
import io.meterbase.core.api.community.GridState;
import io.meterbase.core.model.Channel;
import io.meterbase.core.model.Customer;
import io.meterbase.core.model.Device;
import io.meterbase.core.registry.Registry;
import io.micrometer.core.instrument.Counter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The operator console's first page, in one request: how many customers, gateways and devices, how many devices
 * reported lately, readings stored and rejected since the start, open alarms, and each community's grid state.
 */
final class OverviewRoutes {

    /** A device counts as reporting while one of its channels has a reading this recent. */
    static final long REPORTING_WINDOW_MS = 5 * 60_000L;

    private final ApiContext api;

    OverviewRoutes(ApiContext api) {
        this.api = api;
    }

    void register(Javalin app) {
        app.get("/api/v1/overview", this::overview);
    }

    private void overview(Context ctx) {
        Requests.operator(ctx, api.registry());
        Registry registry = api.registry();
        long now = api.clock().millis();
        List<Customer> customers = registry.customers();
        int gateways = registry.allGateways().size();
        TreeSet<String> communities = new TreeSet<>();
        for (Customer c : customers) {
            registry.sites(c.id()).forEach(s -> communities.add(s.community()));
        }
        List<Device> devices = registry.allDevices();
        int reporting = 0;
        for (Device d : devices) {
            boolean online = api.presence()
                    .of(d.customerId(), d.ref())
                    .map(p -> p.online())
                    .orElse(false);
            if (!online) {
                for (Channel ch : registry.channels(d.id())) {
                    long at = api.live().latest(ch.id()).map(r -> r.timestamp()).orElse(0L);
                    if (now - at < REPORTING_WINDOW_MS) {
                        online = true;
                        break;
                    }
                }
            }
            reporting += online ? 1 : 0;
        }
        List<Map<String, Object>> grid = new ArrayList<>();
        for (String community : communities) {
            try {
                GridState g = api.control().grid().state(community);
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("community", community);
                m.put("state", g.state().name().toLowerCase(java.util.Locale.ROOT));
                m.put("load_w", g.loadW());
                m.put("capacity_w", g.capacityW());
                m.put("reasons", g.reasons());
                grid.add(m);
            } catch (RuntimeException e) {
                // a community without grid settings: not listed
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("customers", customers.size());
        out.put("gateways", gateways);
        out.put("devices", devices.size());
        out.put("devices_reporting", reporting);
        out.put("readings_stored", count("meterbase.ingest.readings", "result", "stored"));
        out.put("readings_rejected", count("meterbase.ingest.rejected", null, null));
        out.put(
                "open_alarms",
                api.control().alarms().alarms(null, Alarm.State.ACTIVE, 100_000).size());
        out.put("grid", grid);
        ctx.json(out);
    }

    /** A counter's total since the start, summed over its tags (one tag value when given). */
    private long count(
            String name,
            @org.jspecify.annotations.Nullable String tag,
            @org.jspecify.annotations.Nullable String value) {
        var search = api.metrics().find(name);
        if (tag != null && value != null) {
            search = search.tag(tag, value);
        }
        return Math.round(search.counters().stream().mapToDouble(Counter::count).sum());
    }
}
