package io.meterbase.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterbase.analytics.incident.LeakDetector;
import java.time.LocalDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

class LeakDetectorTest {

    private static final LocalDateTime FIRST = LocalDateTime.of(2016, 3, 1, 0, 0);
    private final LeakDetector detector = new LeakDetector(LeakDetector.Settings.defaults());

    /** A household: nothing at night, 20 L/h in the morning and evening. */
    private static double[] household(int days) {
        double[] v = new double[days * 24];
        for (int i = 0; i < v.length; i++) {
            int h = i % 24;
            v[i] = (h >= 7 && h <= 9) || (h >= 19 && h <= 22) ? 20 : 0;
        }
        return v;
    }

    @Test
    void aQuietHouseholdRaisesNothing() {
        assertThat(detector.detect(household(30), FIRST)).isEmpty();
    }

    @Test
    void aRunningCisternIsASmallLeakAfterThreeNights() {
        double[] v = household(10);
        for (int i = 4 * 24; i < v.length; i++) {
            v[i] += 3; // from day 4 on
        }

        List<LeakDetector.Incident> found = detector.detect(v, FIRST);

        assertThat(found).singleElement().satisfies(i -> {
            assertThat(i.kind()).isEqualTo(LeakDetector.Kind.SMALL_LEAK);
            assertThat(i.startHour()).isEqualTo(4 * 24 + 1);
            assertThat(i.detectedHour()).isEqualTo(6 * 24 + 5); // the end of the third leaking night
            assertThat(i.evidence()).contains("3 nights").contains("2016-03-05");
            assertThat(i.confidence()).isBetween(0.5, 1.0);
        });
    }

    @Test
    void anUnknownNightHourBreaksTheRun_andOneQuietNightEndsIt() {
        double[] v = household(10);
        for (int i = 0; i < v.length; i++) {
            v[i] += 3;
        }
        v[2 * 24 + 3] = Double.NaN; // night 2 unknown
        v[6 * 24 + 2] = 0; // night 6 quiet

        List<LeakDetector.Incident> found = detector.detect(v, FIRST);

        // nights 3, 4, 5 → one leak; nights 7, 8, 9 → a second one
        assertThat(found).extracting(LeakDetector.Incident::startHour).containsExactly(3 * 24 + 1, 7 * 24 + 1);
    }

    @Test
    void aLargeFlowThatDoesNotStopIsABurst() {
        double[] v = household(3);
        v[30] = 800;
        v[31] = 900;
        assertThat(detector.detect(v, FIRST)).isEmpty(); // two hours: filling a pool, perhaps
        v[32] = 850;

        assertThat(detector.detect(v, FIRST)).singleElement().satisfies(i -> {
            assertThat(i.kind()).isEqualTo(LeakDetector.Kind.PIPE_BURST);
            assertThat(i.startHour()).isEqualTo(30);
            assertThat(i.evidence()).contains("850 L/h");
        });
    }
}
