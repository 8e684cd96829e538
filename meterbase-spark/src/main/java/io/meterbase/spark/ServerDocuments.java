package io.meterbase.spark;

import io.meterbase.analytics.cluster.Clusters;
import io.meterbase.analytics.service.ClusterService;
import io.meterbase.analytics.service.CustomerClusters;
import io.meterbase.analytics.service.ForecastService;
import io.meterbase.analytics.service.HourlyHistory;
import io.meterbase.analytics.service.Incident;
import io.meterbase.analytics.service.IncidentService;
import io.meterbase.analytics.service.MeterForecast;
import io.meterbase.core.model.Device;
import io.meterbase.core.model.Site;
import io.meterbase.core.store.DocumentStore;
import io.meterbase.core.store.MetadataStore;
import io.meterbase.services.json.ControlJson;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.jspecify.annotations.Nullable;

/**
 * The Spark jobs' results written into Meterbase's store as the documents the server serves: forecasts (kind
 * {@code forecast}), the customer clustering ({@code clusters}) and incidents ({@code incident}), in the server's own
 * shapes and by its own rules (sharding, rounding, the incident merge), so that a server with
 * {@code analytics.jobs=spark} reads them as if it had computed them. Runs on the driver: what it collects is the
 * results (24 hours per meter, one row per customer, a few findings), not the history.
 */
public final class ServerDocuments {

    private final DocumentStore documents;
    private final MetadataStore metadata;
    private final Clock clock;

    public ServerDocuments(DocumentStore documents, MetadataStore metadata, Clock clock) {
        this.documents = documents;
        this.metadata = metadata;
        this.clock = clock;
    }

    /** The community of each device that has one, by the server's meter key ({@code device:<customer>/<ref>}). */
    public Map<String, String> communities() {
        Map<Long, String> bySite = new HashMap<>();
        for (Site s : metadata.sites()) {
            if (s.community() != null) {
                bySite.put(s.id(), s.community());
            }
        }
        Map<String, String> out = new HashMap<>();
        for (Device d : metadata.devices()) {
            String community = bySite.get(d.siteId());
            if (community != null) {
                out.put(HourlyHistory.deviceKey(d.customerId(), d.ref()), community);
            }
        }
        return out;
    }

    /**
     * Replaces the server's electricity forecasts with the rows of {@link FleetJobs#forecasts} (meters
     * {@code device:…} and {@code community:…}); gas and heat forecasts are left as they are. Returns how many
     * meters and communities were written.
     */
    public int writeForecasts(Dataset<Row> forecastRows) {
        Map<String, List<Row>> byMeter = new TreeMap<>();
        for (Row r : forecastRows.collectAsList()) {
            byMeter.computeIfAbsent(r.getString(0), m -> new ArrayList<>()).add(r);
        }
        Map<String, String> communities = communities();
        Instant now = clock.instant();
        List<MeterForecast> forecasts = new ArrayList<>();
        byMeter.forEach((meter, rows) -> {
            rows.sort(java.util.Comparator.comparing(r -> r.getTimestamp(1)));
            int n = rows.size();
            double[] value = new double[n];
            double[] low = new double[n];
            double[] high = new double[n];
            boolean interval = true;
            for (int h = 0; h < n; h++) {
                Row r = rows.get(h);
                value[h] = r.getDouble(2);
                interval &= !r.isNullAt(3) && !r.isNullAt(4);
                low[h] = r.isNullAt(3) ? Double.NaN : r.getDouble(3);
                high[h] = r.isNullAt(4) ? Double.NaN : r.getDouble(4);
            }
            Instant first = rows.get(0).getTimestamp(1).toInstant();
            double level = rows.get(0).getDouble(5);
            Key key = Key.of(meter);
            forecasts.add(ForecastService.electricity(
                    meter,
                    key.customer(),
                    key.device(),
                    key.device() == null ? key.community() : communities.get(meter),
                    now,
                    first,
                    level,
                    value,
                    interval ? low : null,
                    interval ? high : null));
        });
        documents.saveDocuments(ForecastService.KIND, ForecastService.documents(forecasts));
        return forecasts.size();
    }

    /**
     * Replaces the server's customer clustering with one made by {@link FleetJobs#clusters} on
     * {@link FleetJobs#customerTotals} ({@code days}: the days of history the profiles were made of).
     */
    public CustomerClusters writeClusters(FleetJobs.Clustering clustering, int days) {
        Map<Long, Integer> assignments = new TreeMap<>();
        int[] sizes = new int[clustering.centroids().length];
        for (Row r : clustering.assignments().collectAsList()) {
            String meter = r.getString(0);
            if (!meter.startsWith("customer:")) {
                throw new IllegalArgumentException("the server clusters customers: expected customer:<id>, was " + meter
                        + " (cluster FleetJobs.customerTotals)");
            }
            int cluster = r.getInt(1);
            assignments.put(Long.parseLong(meter.substring("customer:".length())), cluster);
            sizes[cluster]++;
        }
        List<CustomerClusters.Group> groups = new ArrayList<>();
        for (int c = 0; c < sizes.length; c++) {
            double[] centroid = clustering.centroids()[c];
            groups.add(new CustomerClusters.Group(
                    c,
                    sizes[c],
                    Clusters.describe(centroid, clustering.medianMagnitude()),
                    ClusterService.slice(centroid, 0),
                    ClusterService.slice(centroid, 24)));
        }
        CustomerClusters result = new CustomerClusters(
                clock.instant(),
                days,
                assignments.size(),
                clustering.k(),
                Math.round(clustering.silhouette() * 1000) / 1000.0,
                groups,
                assignments);
        documents.saveDocument(ClusterService.KIND, ClusterService.DOCUMENT_ID, ControlJson.write(result));
        return result;
    }

    /**
     * Merges the findings of {@link FleetJobs#findings} into the server's incidents by the server's rule
     * ({@link IncidentService#merge}): open incidents found again are updated, new ones raised, and open scan
     * incidents of the {@code scannedMeters} (keys {@code device:<customer>/<ref>}) not found again are closed.
     * Incidents of other meters and of other checks are left alone. The server raises and clears the alarms when
     * it reads the incidents again.
     */
    public IncidentService.Merge writeIncidents(List<String> findingsJson, Set<String> scannedMeters) {
        List<IncidentService.Finding> findings = new ArrayList<>();
        for (String json : findingsJson) {
            findings.add(ControlJson.read(json, IncidentService.Finding.class));
        }
        Set<String> scanned = new HashSet<>();
        for (String meter : scannedMeters) {
            Key k = Key.of(meter);
            if (k.device() != null) {
                scanned.add(k.customer() + "/" + k.device());
            }
        }
        List<Incident> current = new ArrayList<>();
        for (String json : documents.documents(IncidentService.KIND).values()) {
            current.add(ControlJson.read(json, Incident.class));
        }
        IncidentService.Merge merge = IncidentService.merge(
                current,
                findings,
                i -> IncidentService.SCAN_TYPES.contains(i.type()) && scanned.contains(i.customer() + "/" + i.device()),
                clock.instant());
        Map<String, Incident> changed = new LinkedHashMap<>(merge.changed());
        documents.saveDocuments(IncidentService.KIND, IncidentService.json(changed));
        return merge;
    }

    /** A meter key taken apart: a device's customer and ref, or a community's name. */
    private record Key(
            @Nullable Long customer,
            @Nullable String device,
            @Nullable String community) {

        static Key of(String meter) {
            if (meter.startsWith("community:")) {
                return new Key(null, null, meter.substring("community:".length()));
            }
            int slash = meter.indexOf('/');
            if (meter.startsWith("device:") && slash > 0) {
                return new Key(
                        Long.parseLong(meter.substring("device:".length(), slash)), meter.substring(slash + 1), null);
            }
            throw new IllegalArgumentException(
                    "not a meter key (device:<customer>/<ref> or community:<name>): " + meter);
        }
    }
}
