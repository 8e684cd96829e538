package io.meterbase.services.community;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.meterbase.core.api.community.Comparison;
import io.meterbase.core.api.community.Metric;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CommunityStatsTest {

    @Test
    void ranksWithTiesShareTheLowerRank() {
        CommunityStats stats = new CommunityStats(5);
        double[] power = {300, 100, 200, 200, 500, 200};
        for (int i = 0; i < power.length; i++) {
            stats.update(i + 1, "north", Metric.POWER, power[i]);
        }

        Comparison c = stats.compare(3, Metric.POWER).orElseThrow();

        assertThat(c.shown()).isTrue();
        assertThat(c.customers()).isEqualTo(6);
        assertThat(c.min()).isEqualTo(100);
        assertThat(c.max()).isEqualTo(500);
        assertThat(c.average()).isCloseTo(250, within(1e-9));
        assertThat(c.rank()).isEqualTo(2); // 100 is first; the three 200s share second place
        assertThat(stats.compare(4, Metric.POWER).orElseThrow().rank()).isEqualTo(2);
        assertThat(stats.compare(6, Metric.POWER).orElseThrow().rank()).isEqualTo(2);
        assertThat(stats.compare(1, Metric.POWER).orElseThrow().rank()).isEqualTo(5); // after 100, 200, 200, 200
        assertThat(stats.compare(5, Metric.POWER).orElseThrow().rank()).isEqualTo(6);
        assertThat(c.percentile()).isCloseTo(100.0 / 6, within(1e-9));
    }

    @Test
    void comparisonsAreWithheldBelowThePrivacyThreshold() {
        CommunityStats stats = new CommunityStats(5);
        for (int i = 1; i <= 4; i++) {
            stats.update(i, "tiny", Metric.ENERGY_TODAY, i * 1000);
        }

        Comparison c = stats.compare(1, Metric.ENERGY_TODAY).orElseThrow();

        assertThat(c.shown()).isFalse();
        assertThat(c.withheld()).contains("fewer than 5");
        assertThat(c.min()).isNull();
        assertThat(c.rank()).isNull();
        assertThat(c.customers()).isEqualTo(4);

        stats.update(5, "tiny", Metric.ENERGY_TODAY, 9000);
        assertThat(stats.compare(1, Metric.ENERGY_TODAY).orElseThrow().shown()).isTrue();

        // a customer who moves away takes its values along, and the community falls under the threshold again
        stats.update(5, "elsewhere", Metric.ENERGY_TODAY, 9000);
        assertThat(stats.compare(1, Metric.ENERGY_TODAY).orElseThrow().shown()).isFalse();
        assertThat(stats.totals("elsewhere", Metric.ENERGY_TODAY)).isEqualTo(new CommunityStats.Totals(9000, 1));
    }

    @Test
    void agreesWithAFullSortAfterManyRandomUpdates() {
        CommunityStats stats = new CommunityStats(1);
        Random random = new Random(7);
        Map<Long, Double> truth = new HashMap<>();
        for (int step = 0; step < 20_000; step++) {
            long customer = random.nextInt(500);
            double value = random.nextInt(50) * 10.0; // many ties
            stats.update(customer, "c", Metric.POWER, value);
            truth.put(customer, value);
        }
        List<Double> sorted = new ArrayList<>(truth.values());
        sorted.sort(Double::compare);
        double sum = sorted.stream().mapToDouble(Double::doubleValue).sum();
        for (long customer : List.of(0L, 17L, 250L, 499L)) {
            Comparison c = stats.compare(customer, Metric.POWER).orElseThrow();
            double mine = truth.get(customer);
            assertThat(c.rank()).isEqualTo(sorted.indexOf(mine) + 1);
            assertThat(c.min()).isEqualTo(sorted.get(0));
            assertThat(c.max()).isEqualTo(sorted.get(sorted.size() - 1));
            assertThat(c.average()).isCloseTo(sum / sorted.size(), within(1e-6));
            assertThat(c.customers()).isEqualTo(truth.size());
        }
    }

    @Test
    void aCustomerOutsideEveryCommunityIsNotCompared() {
        assertThat(new CommunityStats(5).compare(42, Metric.POWER)).isEmpty();
    }
}
