package io.meterbase.analytics.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.tribuo.Feature;
import org.tribuo.MutableDataset;
import org.tribuo.clustering.ClusterID;
import org.tribuo.clustering.ClusteringFactory;
import org.tribuo.clustering.kmeans.KMeansModel;
import org.tribuo.clustering.kmeans.KMeansTrainer;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;

/**
 * Customer clustering: k-means (Tribuo, k-means++ initialisation) on {@link LoadProfile} features for every k in
 * a range, keeping the k with the best mean silhouette (computed on at most 2,000 profiles). Each cluster is
 * described in words from its centroid.
 */
public final class Clusters {

    private static final ClusteringFactory FACTORY = new ClusteringFactory();

    /** The outcome: the chosen k, each profile's cluster, each cluster's centroid, size and description. */
    public record Result(int k, double silhouette, double[] silhouetteByK, int[] assignment, List<Cluster> clusters) {}

    /** One cluster. */
    public record Cluster(int id, int size, double[] centroid, String description) {}

    private Clusters() {}

    public static Result cluster(List<double[]> profiles, int kMin, int kMax, long seed) {
        MutableDataset<ClusterID> data =
                new MutableDataset<>(new SimpleDataSourceProvenance("profiles", FACTORY), FACTORY);
        for (double[] p : profiles) {
            data.add(new ArrayExample<>(ClusteringFactory.UNASSIGNED_CLUSTER_ID, LoadProfile.NAMES, p));
        }
        int[] sample = sample(profiles.size(), 2000, seed);
        double[] byK = new double[kMax + 1];
        Result best = null;
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        for (int k = kMin; k <= Math.min(kMax, profiles.size() - 1); k++) {
            KMeansModel model = new KMeansTrainer(
                            k,
                            50,
                            org.tribuo.math.distance.DistanceType.L2.getDistance(),
                            KMeansTrainer.Initialisation.PLUSPLUS,
                            threads,
                            seed)
                    .train(data);
            double[][] centroids = centroids(model);
            int[] assignment = new int[profiles.size()];
            for (int i = 0; i < assignment.length; i++) {
                assignment[i] = nearest(profiles.get(i), centroids);
            }
            byK[k] = silhouette(profiles, assignment, k, sample);
            if (best == null || byK[k] > best.silhouette()) {
                List<Cluster> clusters = new ArrayList<>();
                double medianMagnitude = medianMagnitude(profiles);
                for (int c = 0; c < k; c++) {
                    int size = 0;
                    for (int a : assignment) {
                        size += a == c ? 1 : 0;
                    }
                    clusters.add(new Cluster(c, size, centroids[c], describe(centroids[c], medianMagnitude)));
                }
                best = new Result(k, byK[k], byK, assignment, clusters);
            }
        }
        if (best == null) {
            throw new IllegalArgumentException(
                    "clustering into " + kMin + " or more groups needs more than " + kMin + " profiles");
        }
        return new Result(best.k(), best.silhouette(), byK, best.assignment(), best.clusters());
    }

    /** The centroids in {@link LoadProfile#NAMES} order (Tribuo keeps features sorted by name). */
    private static double[][] centroids(KMeansModel model) {
        List<List<Feature>> raw = model.getCentroids();
        double[][] out = new double[raw.size()][LoadProfile.NAMES.length];
        List<String> names = List.of(LoadProfile.NAMES);
        for (int c = 0; c < raw.size(); c++) {
            for (Feature f : raw.get(c)) {
                out[c][names.indexOf(f.getName())] = f.getValue();
            }
        }
        return out;
    }

    static int nearest(double[] p, double[][] centroids) {
        int best = 0;
        double bestD = Double.MAX_VALUE;
        for (int c = 0; c < centroids.length; c++) {
            double d = distance(p, centroids[c]);
            if (d < bestD) {
                bestD = d;
                best = c;
            }
        }
        return best;
    }

    private static double distance(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - b[i];
            s += d * d;
        }
        return Math.sqrt(s);
    }

    /** Mean silhouette over the sampled profiles (distances to all profiles of each cluster in the sample). */
    private static double silhouette(List<double[]> profiles, int[] assignment, int k, int[] sample) {
        double total = 0;
        int counted = 0;
        for (int i : sample) {
            double[] sum = new double[k];
            int[] n = new int[k];
            for (int j : sample) {
                if (i != j) {
                    sum[assignment[j]] += distance(profiles.get(i), profiles.get(j));
                    n[assignment[j]]++;
                }
            }
            int own = assignment[i];
            if (n[own] == 0) {
                continue; // a singleton's silhouette is 0 by convention
            }
            double a = sum[own] / n[own];
            double b = Double.MAX_VALUE;
            for (int c = 0; c < k; c++) {
                if (c != own && n[c] > 0) {
                    b = Math.min(b, sum[c] / n[c]);
                }
            }
            if (b == Double.MAX_VALUE) {
                continue;
            }
            total += (b - a) / Math.max(a, b);
            counted++;
        }
        return counted == 0 ? -1 : total / counted;
    }

    private static int[] sample(int n, int max, long seed) {
        if (n <= max) {
            int[] all = new int[n];
            for (int i = 0; i < n; i++) {
                all[i] = i;
            }
            return all;
        }
        Random r = new Random(seed);
        return r.ints(0, n).distinct().limit(max).toArray();
    }

    private static double medianMagnitude(List<double[]> profiles) {
        double[] m = profiles.stream().mapToDouble(p -> p[50]).sorted().toArray();
        return m[m.length / 2];
    }

    /**
     * Words for a centroid: the shape of its day, its week, its seasons and its size ({@code medianMagnitude}: the
     * median of the profiles' magnitude feature, index 50).
     */
    public static String describe(double[] c, double medianMagnitude) {
        List<String> words = new ArrayList<>();
        double night = avg(c, 0, 1, 2, 3, 4);
        double max = 0;
        int peak = 0;
        for (int h = 0; h < 24; h++) {
            if (c[h] > max) {
                max = c[h];
                peak = h;
            }
        }
        double weekdayDay = avg(c, 9, 10, 11, 12, 13, 14, 15, 16);
        double weekendDay = avg(c, 33, 34, 35, 36, 37, 38, 39, 40);
        if (night >= 0.7 && max < 1.6) {
            words.add("always-on");
        } else if (weekdayDay >= 1.4 && weekendDay < 0.7 * weekdayDay) {
            words.add("daytime business");
        } else if (peak >= 17 && peak <= 22) {
            words.add("evening-peak household");
        } else if (peak >= 5 && peak <= 9) {
            words.add("morning peak (" + peak + ":00; irrigation or early risers)");
        } else {
            words.add("peak at " + peak + ":00");
        }
        if (c[48] < 0.5 * LoadProfile.SEASON_WEIGHT) {
            words.add("vacant in June-August");
        } else if (c[49] < 0.5 * LoadProfile.SEASON_WEIGHT) {
            words.add("vacant in December-February");
        }
        words.add(c[50] > medianMagnitude + 0.4 ? "large" : c[50] < medianMagnitude - 0.4 ? "small" : "typical size");
        return String.join(", ", words)
                .toLowerCase(Locale.ROOT)
                .replace("june", "June")
                .replace("august", "August")
                .replace("december", "December")
                .replace("february", "February");
    }

    private static double avg(double[] c, int... idx) {
        double s = 0;
        for (int i : idx) {
            s += c[i];
        }
        return s / idx.length;
    }
}
