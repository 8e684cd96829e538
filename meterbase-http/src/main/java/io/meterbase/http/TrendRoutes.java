package io.meterbase.http;

import static io.meterbase.http.ControlRoutes.h;
import static io.meterbase.http.ControlRoutes.json;

import io.javalin.Javalin;
import io.meterbase.core.model.Customer;
import io.meterbase.core.model.Site;
import io.meterbase.core.query.Commodity;
import io.meterbase.core.query.ConsumptionService.GroupBy;
import io.meterbase.core.query.ConsumptionService.Interval;
import io.meterbase.core.query.EnergyPoint;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A customer's daily electricity against its community's (seed 000: own trend against the community's minimum,
 * average and maximum): {@code GET /api/v1/community/trend?days=14}. The community's figures are per customer per
 * day, computed at most every {@link #KEEP_MS} per community, and withheld below the community minimum.
 */
final class TrendRoutes {

    private static final long KEEP_MS = 15 * 60_000L;
    private static final long DAY = 86_400_000L;

    /** Per community: when it was computed and each customer's daily amounts. */
    private record Computed(long at, int days, Map<Long, Map<Long, Double>> byCustomer) {}

    private final ApiContext api;
    private final Map<String, Computed> cache = new ConcurrentHashMap<>();

    TrendRoutes(ApiContext api) {
        this.api = api;
    }

    void register(Javalin app) {
        app.get("/api/v1/community/trend", h(ctx -> {
            long customer = ControlRoutes.customer(ctx, api);
            int days = Requests.integer(ctx, "days", 14, 1, 90);
            Site site = api.registry().defaultSite(customer);
            String community = site.community();
            Computed c = computed(community, days, site.zone());
            Map<Long, Double> own = c.byCustomer().getOrDefault(customer, Map.of());
            int minCustomers = api.control().community().minCustomers();
            List<Map<String, Object>> rows = new ArrayList<>();
            TreeMap<Long, List<Double>> perDay = new TreeMap<>();
            c.byCustomer()
                    .values()
                    .forEach(m -> m.forEach((day, v) ->
                            perDay.computeIfAbsent(day, k -> new ArrayList<>()).add(v)));
            for (Map.Entry<Long, List<Double>> e : perDay.entrySet()) {
                List<Double> v = e.getValue();
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("day", Instant.ofEpochMilli(e.getKey()).toString());
                row.put("you", own.get(e.getKey()));
                row.put("customers", v.size());
                boolean shown = v.size() >= minCustomers;
                row.put(
                        "min",
                        shown
                                ? v.stream()
                                        .mapToDouble(Double::doubleValue)
                                        .min()
                                        .orElse(0)
                                : null);
                row.put(
                        "average",
                        shown
                                ? v.stream()
                                        .mapToDouble(Double::doubleValue)
                                        .average()
                                        .orElse(0)
                                : null);
                row.put(
                        "max",
                        shown
                                ? v.stream()
                                        .mapToDouble(Double::doubleValue)
                                        .max()
                                        .orElse(0)
                                : null);
                rows.add(row);
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("community", community);
            out.put("unit", "Wh");
            out.put("min_customers", minCustomers);
            out.put("computed_at", Instant.ofEpochMilli(c.at()).toString());
            out.put("days", rows);
            json(ctx, 200, out);
        }));
    }

    private Computed computed(String community, int days, ZoneId zone) {
        long now = api.clock().millis();
        Computed known = cache.get(community);
        if (known != null && known.days() >= days && now - known.at() < KEEP_MS) {
            return known;
        }
        long from = LocalDate.ofInstant(Instant.ofEpochMilli(now - (days - 1) * DAY), zone)
                .atStartOfDay(zone)
                .toInstant()
                .toEpochMilli();
        Map<Long, Map<Long, Double>> byCustomer = new HashMap<>();
        for (Customer c : api.registry().customers()) {
            if (!community.equals(api.registry().defaultSite(c.id()).community())) {
                continue;
            }
            Map<Long, Double> daily = new TreeMap<>();
            for (EnergyPoint p : api.consumption()
                    .consumption(
                            api.consumption().countedDevices(c.id()),
                            Commodity.ELECTRICITY,
                            Interval.DAY,
                            GroupBy.TOTAL,
                            from,
                            now)) {
                daily.merge(p.periodStart(), p.amount(), Double::sum);
            }
            if (!daily.isEmpty()) {
                byCustomer.put(c.id(), daily);
            }
        }
        Computed c = new Computed(now, days, byCustomer);
        cache.put(community, c);
        return c;
    }
}
