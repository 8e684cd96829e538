package io.meterbase.core.api.analytics;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The latest clustering of the customers by load profile: each cluster described in words with its average weekday
 * and weekend day (each hour as a share of the mean hour), and each customer's cluster.
 */
public record ClustersAnswer(
        Instant generatedAt,
        int days,
        int customers,
        int k,
        double silhouette,
        List<Group> clusters,
        Map<Long, Integer> assignments) {

    /** One cluster. */
    public record Group(int id, int size, String description, List<Double> weekday, List<Double> weekend) {}
}
