package io.meterbase.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterbase.analytics.cluster.Clusters;
import io.meterbase.analytics.cluster.LoadProfile;
import io.meterbase.analytics.cluster.SyntheticMeters;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ClustersTest {

    @Test
    void findsTheKindsOfMetersAndNamesThem() {
        LocalDateTime first = LocalDateTime.of(2025, 1, 1, 0, 0);
        SyntheticMeters.Kind[] kinds = SyntheticMeters.Kind.values();
        Random r = new Random(5);
        List<double[]> profiles = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            profiles.add(LoadProfile.of(SyntheticMeters.series(kinds[i % kinds.length], first, 8760, r), first));
        }

        Clusters.Result result = Clusters.cluster(profiles, 2, 6, 1);

        assertThat(result.k()).as("k chosen by silhouette").isEqualTo(4);
        // every cluster holds one kind only
        for (int c = 0; c < result.k(); c++) {
            Set<SyntheticMeters.Kind> inside = new HashSet<>();
            for (int i = 0; i < profiles.size(); i++) {
                if (result.assignment()[i] == c) {
                    inside.add(kinds[i % kinds.length]);
                }
            }
            assertThat(inside).hasSize(1);
        }
        assertThat(result.clusters())
                .extracting(Clusters.Cluster::description)
                .anySatisfy(
                        d -> assertThat(d).startsWith("evening-peak household").doesNotContain("vacant"))
                .anySatisfy(d -> assertThat(d).startsWith("daytime business"))
                .anySatisfy(d -> assertThat(d).startsWith("always-on"))
                .anySatisfy(d -> assertThat(d).contains("vacant in June-August"));
        assertThat(result.silhouetteByK()[4]).isGreaterThan(result.silhouetteByK()[2]);
    }

    @Test
    void tooLittleDataGivesNoProfile() {
        assertThat(LoadProfile.of(new double[10 * 24], LocalDateTime.of(2025, 1, 1, 0, 0)))
                .isNull();
    }
}
