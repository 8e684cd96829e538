package io.meterbase.analytics.cluster;

import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Clustering at scale: {@code meters} synthetic meters × one year of hourly data (default 10,000): the time to
 * build every load profile and to cluster them (k from 2 to 8, silhouette choice). Run with
 * {@code scripts/bench-analytics}.
 */
public final class ClusterBenchmark {

    private ClusterBenchmark() {}

    public static void main(String[] args) {
        java.util.logging.Logger.getLogger("org.tribuo").setLevel(java.util.logging.Level.WARNING);
        int meters = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        LocalDateTime first = LocalDateTime.of(2025, 1, 1, 0, 0);
        Random r = new Random(42);
        SyntheticMeters.Kind[] kinds = SyntheticMeters.Kind.values();
        List<double[]> series = new ArrayList<>();
        for (int i = 0; i < meters; i++) {
            series.add(SyntheticMeters.series(kinds[i % kinds.length], first, 8760, r));
        }
        long t0 = System.nanoTime();
        List<double[]> profiles = new ArrayList<>();
        for (double[] s : series) {
            profiles.add(LoadProfile.of(s, first));
        }
        long t1 = System.nanoTime();
        Clusters.Result result = Clusters.cluster(profiles, 2, 8, 1);
        long t2 = System.nanoTime();
        System.out.printf(
                Locale.ROOT,
                "%d meters x 8760 hours: profiles %.1f s, clustering (k 2-8, silhouette on 2,000) %.1f s, total %.1f s;"
                        + " chose k=%d (silhouette %.3f)%n",
                meters,
                (t1 - t0) / 1e9,
                (t2 - t1) / 1e9,
                (t2 - t0) / 1e9,
                result.k(),
                result.silhouette());
        int correct = 0;
        for (Clusters.Cluster c : result.clusters()) {
            System.out.printf(Locale.ROOT, "  cluster %d: %d meters, %s%n", c.id(), c.size(), c.description());
        }
        // purity: each cluster's most common true kind
        int[][] counts = new int[result.k()][kinds.length];
        for (int i = 0; i < meters; i++) {
            counts[result.assignment()[i]][i % kinds.length]++;
        }
        for (int[] row : counts) {
            int max = 0;
            for (int x : row) {
                max = Math.max(max, x);
            }
            correct += max;
        }
        System.out.printf(Locale.ROOT, "  purity against the generating kinds: %.1f %%%n", 100.0 * correct / meters);
    }
}
