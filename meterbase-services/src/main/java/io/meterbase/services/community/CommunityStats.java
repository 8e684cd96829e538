package io.meterbase.services.community;

import io.meterbase.core.api.community.CommunityApi;
import io.meterbase.core.api.community.Comparison;
import io.meterbase.core.api.community.Metric;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every community's customers ordered on each {@link Metric}: an update costs O(log n), a customer's comparison
 * (minimum, maximum, average, rank, percentile) O(log n). Comparisons are withheld in communities of fewer than
 * {@code minCustomers} customers, and never name another customer. Thread-safe; one lock per community.
 */
public final class CommunityStats implements CommunityApi {

    private final int minCustomers;
    private final Map<String, Board> boards = new ConcurrentHashMap<>();
    private final Map<Long, String> communityOf = new ConcurrentHashMap<>();

    public CommunityStats(int minCustomers) {
        if (minCustomers < 1) {
            throw new IllegalArgumentException("the privacy threshold must be at least 1, was " + minCustomers);
        }
        this.minCustomers = minCustomers;
    }

    public int minCustomers() {
        return minCustomers;
    }

    /** Sets a customer's value; moves the customer when its community changed. */
    public void update(long customerId, String community, Metric metric, double value) {
        if (community == null || community.isBlank()) {
            throw new IllegalArgumentException("a customer without a community is not compared");
        }
        String before = communityOf.put(customerId, community);
        if (before != null && !before.equals(community)) {
            Board old = boards.get(before);
            if (old != null) {
                old.removeCustomer(customerId);
            }
        }
        boards.computeIfAbsent(community, c -> new Board()).set(customerId, metric, value);
    }

    /** Forgets a customer entirely. */
    public void remove(long customerId) {
        String community = communityOf.remove(customerId);
        if (community != null && boards.containsKey(community)) {
            boards.get(community).removeCustomer(customerId);
        }
    }

    public Optional<String> communityOf(long customerId) {
        return Optional.ofNullable(communityOf.get(customerId));
    }

    /** How the customer compares with its community; empty when the customer is in none. */
    public Optional<Comparison> compare(long customerId, Metric metric) {
        String community = communityOf.get(customerId);
        if (community == null) {
            return Optional.empty();
        }
        Board board = boards.get(community);
        return Optional.of(
                board == null
                        ? Comparison.withheld(community, metric, 0, "no data")
                        : board.compare(community, customerId, metric));
    }

    /** The sum and count of a metric over a community's customers (not subject to the threshold: operators' use). */
    public Totals totals(String community, Metric metric) {
        Board board = boards.get(community);
        return board == null ? new Totals(0, 0) : board.totals(metric);
    }

    /** The communities known. */
    public java.util.Set<String> communities() {
        return java.util.Set.copyOf(boards.keySet());
    }

    /** A metric's sum over a community, and how many customers have a value. */
    public record Totals(double sum, int customers) {}

    /** One community. */
    private final class Board {
        private final Map<Long, Map<Metric, Double>> values = new HashMap<>();
        private final Map<Metric, RankTree> trees = new EnumMap<>(Metric.class);

        Board() {
            for (Metric m : Metric.values()) {
                trees.put(m, new RankTree());
            }
        }

        synchronized void set(long customerId, Metric metric, double value) {
            if (!Double.isFinite(value)) {
                throw new IllegalArgumentException("a compared value must be finite, was " + value);
            }
            Map<Metric, Double> mine = values.computeIfAbsent(customerId, id -> new EnumMap<>(Metric.class));
            Double old = mine.put(metric, value);
            RankTree tree = tree(metric);
            if (old != null) {
                tree.remove(old, customerId);
            }
            tree.insert(value, customerId);
        }

        synchronized void removeCustomer(long customerId) {
            Map<Metric, Double> mine = values.remove(customerId);
            if (mine != null) {
                mine.forEach((metric, value) -> tree(metric).remove(value, customerId));
            }
        }

        private RankTree tree(Metric metric) {
            return Objects.requireNonNull(trees.get(metric), "every metric has its tree");
        }

        synchronized Totals totals(Metric metric) {
            RankTree tree = tree(metric);
            return new Totals(tree.sum(), tree.size());
        }

        synchronized Comparison compare(String community, long customerId, Metric metric) {
            RankTree tree = tree(metric);
            int members = tree.size();
            if (members == 0) {
                return Comparison.withheld(community, metric, 0, "no figures yet");
            }
            if (members < minCustomers) {
                return Comparison.withheld(
                        community,
                        metric,
                        members,
                        "the community has fewer than " + minCustomers + " customers; comparisons are withheld");
            }
            Map<Metric, Double> mine = values.get(customerId);
            Double value = mine == null ? null : mine.get(metric);
            Integer rank = null;
            Double percentile = null;
            if (value != null) {
                int below = tree.countBelow(value);
                rank = below + 1;
                percentile = 100.0 * below / tree.size();
            }
            return new Comparison(
                    community,
                    metric,
                    tree.size(),
                    null,
                    tree.min(),
                    tree.max(),
                    tree.sum() / tree.size(),
                    value,
                    rank,
                    percentile);
        }
    }
}
