package io.meterbase.analytics.service;

import io.meterbase.analytics.cluster.Clusters;
import io.meterbase.analytics.cluster.LoadProfile;
import io.meterbase.core.store.DocumentStore;
import io.meterbase.services.json.ControlJson;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Clusters the customers by the load profile of their electricity over the last {@code days} days (k-means, k by
 * silhouette; see {@link Clusters}) and keeps the result as a document (kind {@code clusters}). Customers with less
 * than 14 days of data are left out until they have them.
 */
public final class ClusterService {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterService.class);
    public static final String KIND = "clusters";
    /** Fewest customers worth clustering. */
    static final int MIN_CUSTOMERS = 6;

    private static final int BATCH = 500;

    private final HourlyHistory history;
    private final DocumentStore documents;
    private final Clock clock;
    private final int days;
    private volatile @Nullable CustomerClusters latest;

    public ClusterService(HourlyHistory history, DocumentStore documents, Clock clock, int days) {
        this.history = history;
        this.documents = documents;
        this.clock = clock;
        this.days = days;
        reload();
    }

    public static final String DOCUMENT_ID = "latest";

    /**
     * Reads the clustering again from the store, where another process (the Spark clustering job) may have written
     * it; true when there is one.
     */
    public boolean reload() {
        String stored = documents.documents(KIND).get(DOCUMENT_ID);
        if (stored != null) {
            try {
                latest = ControlJson.read(stored, CustomerClusters.class);
            } catch (IllegalArgumentException e) {
                LOG.warn("Stored clusters are unreadable and will be recomputed: {}", e.getMessage());
            }
        }
        return latest != null;
    }

    /** The weekday (from 0) or weekend (from 24) part of a centroid, rounded, as a cluster shows it. */
    public static List<Double> slice(double[] centroid, int from) {
        List<Double> out = new ArrayList<>(24);
        for (int h = 0; h < 24; h++) {
            out.add(Math.round(centroid[from + h] * 1000) / 1000.0);
        }
        return out;
    }

    /** Recomputes the clusters; empty when fewer than {@link #MIN_CUSTOMERS} customers have 14 days of data. */
    public Optional<CustomerClusters> run(List<HourlyHistory.Meter> electricity) {
        Instant now = clock.instant();
        long end = Math.floorDiv(now.toEpochMilli(), HourlyHistory.HOUR) * HourlyHistory.HOUR;
        // customers in batches of whole customers, so that a year of hourly values is held for a few at a time
        Map<Long, List<HourlyHistory.Meter>> meters = new TreeMap<>();
        for (HourlyHistory.Meter m : electricity) {
            meters.computeIfAbsent(m.device().customerId(), c -> new ArrayList<>())
                    .add(m);
        }
        List<Long> customers = new ArrayList<>();
        List<double[]> profiles = new ArrayList<>();
        List<HourlyHistory.Meter> batch = new ArrayList<>();
        for (List<HourlyHistory.Meter> ofCustomer : meters.values()) {
            batch.addAll(ofCustomer);
            if (batch.size() >= BATCH) {
                profile(batch, end, customers, profiles);
                batch.clear();
            }
        }
        profile(batch, end, customers, profiles);
        if (profiles.size() < MIN_CUSTOMERS) {
            return Optional.empty();
        }
        Clusters.Result r = Clusters.cluster(profiles, 2, 8, 42);
        List<CustomerClusters.Group> groups = new ArrayList<>();
        for (Clusters.Cluster c : r.clusters()) {
            groups.add(new CustomerClusters.Group(
                    c.id(), c.size(), c.description(), slice(c.centroid(), 0), slice(c.centroid(), 24)));
        }
        Map<Long, Integer> assignments = new LinkedHashMap<>();
        for (int i = 0; i < customers.size(); i++) {
            assignments.put(customers.get(i), r.assignment()[i]);
        }
        CustomerClusters result = new CustomerClusters(
                now, days, customers.size(), r.k(), Math.round(r.silhouette() * 1000) / 1000.0, groups, assignments);
        documents.saveDocument(KIND, "latest", ControlJson.write(result));
        latest = result;
        return Optional.of(result);
    }

    private void profile(List<HourlyHistory.Meter> batch, long end, List<Long> customers, List<double[]> profiles) {
        if (batch.isEmpty()) {
            return;
        }
        Map<Long, HourlyHistory.Hourly> byCustomer = new LinkedHashMap<>();
        for (HourlyHistory.Hourly s : history.series(batch, end - days * 24L * HourlyHistory.HOUR, end)) {
            HourlyHistory.Hourly total = byCustomer.putIfAbsent(s.customerId(), s);
            if (total == null) {
                continue;
            }
            for (int i = 0; i < total.values().length; i++) {
                double x = s.values()[i];
                if (!Double.isNaN(x)) {
                    total.values()[i] = Double.isNaN(total.values()[i]) ? x : total.values()[i] + x;
                }
            }
        }
        byCustomer.forEach((customer, total) -> {
            double[] p = LoadProfile.of(total.values(), total.firstLocal());
            if (p != null) {
                customers.add(customer);
                profiles.add(p);
            }
        });
    }

    public Optional<CustomerClusters> latest() {
        return Optional.ofNullable(latest);
    }

    /** A customer's cluster in the latest clustering. */
    public Optional<CustomerClusters.Group> of(long customerId) {
        CustomerClusters c = latest;
        if (c == null || !c.assignments().containsKey(customerId)) {
            return Optional.empty();
        }
        int id = c.assignments().get(customerId);
        return c.clusters().stream().filter(g -> g.id() == id).findFirst();
    }
}
