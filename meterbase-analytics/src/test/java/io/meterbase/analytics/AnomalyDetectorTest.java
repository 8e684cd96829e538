package io.meterbase.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterbase.analytics.incident.AnomalyDetector;
import io.meterbase.analytics.incident.AnomalyDetector.Anomaly;
import io.meterbase.analytics.incident.AnomalyDetector.Kind;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The anomaly detector on synthetic meters: 28 reference days of ordinary use (a morning and an evening peak, quiet
 * nights, some noise), then two days examined, as recorded or with one anomaly put in.
 */
class AnomalyDetectorTest {

    private static final int DAYS = 30;
    private static final int EXAMINED = 28 * 24;

    private final AnomalyDetector water = new AnomalyDetector(AnomalyDetector.Settings.water());
    private final AnomalyDetector gas =
            new AnomalyDetector(AnomalyDetector.Settings.water().scaled(0.1));

    /** Litres an hour of an ordinary household: 0 at night, 20-60 L at 7:00 and 19:00, a few litres otherwise. */
    private static double[] household(long seed, double scale) {
        Random r = new Random(seed);
        double[] y = new double[DAYS * 24];
        for (int t = 0; t < y.length; t++) {
            int h = t % 24;
            double v = h < 6 ? 0 : h == 7 || h == 19 ? 20 + 40 * r.nextDouble() : 6 * r.nextDouble();
            y[t] = Math.round(v) * scale;
        }
        return y;
    }

    private static boolean has(List<Anomaly> found, Kind kind, int hour) {
        return found.stream().anyMatch(a -> a.kind() == kind && a.startHour() <= hour && a.endHour() > hour);
    }

    @Test
    void ordinaryDays_areNotAnomalies() {
        for (long seed = 1; seed <= 20; seed++) {
            assertThat(water.detect(household(seed, 1), EXAMINED))
                    .as("seed %d", seed)
                    .isEmpty();
        }
    }

    @Test
    void aSpikeOfHundredsOfLitresInOneHour_isASpike_withItsEvidence() {
        double[] y = household(3, 1);
        y[EXAMINED + 14] += 300;

        List<Anomaly> found = water.detect(y, EXAMINED);

        assertThat(has(found, Kind.SPIKE, EXAMINED + 14)).isTrue();
        Anomaly spike =
                found.stream().filter(a -> a.kind() == Kind.SPIKE).findFirst().orElseThrow();
        assertThat(spike.confidence()).isBetween(0.5, 1.0);
        assertThat(spike.evidence()).contains("busiest hours");
    }

    @Test
    void aValueStuckForHalfADay_aNegativeHour_andADayOfTripleUse_areFound() {
        double[] stuck = household(4, 1);
        java.util.Arrays.fill(stuck, EXAMINED + 8, EXAMINED + 20, 17);
        double[] negative = household(5, 1);
        negative[EXAMINED + 30] = -20;
        double[] busyDay = household(6, 1);
        for (int t = EXAMINED + 24; t < EXAMINED + 48; t++) {
            busyDay[t] *= 3;
        }

        assertThat(has(water.detect(stuck, EXAMINED), Kind.STUCK, EXAMINED + 10))
                .isTrue();
        assertThat(has(water.detect(negative, EXAMINED), Kind.NEGATIVE, EXAMINED + 30))
                .isTrue();
        assertThat(has(water.detect(busyDay, EXAMINED), Kind.UNUSUAL_DAY, EXAMINED + 30))
                .isTrue();
    }

    @Test
    void gasThatNeverStopsForADay_isConstantFlow_butAHeatingFloorSeenBeforeIsNot() {
        // GIVEN a gas meter (m³) with ordinary use, then a day on which 0.3 m³ an hour more flows without a stop
        double[] y = household(7, 0.01);
        for (int t = EXAMINED; t < EXAMINED + 30; t++) {
            y[t] += 0.3;
        }

        // THEN it is constant flow
        assertThat(has(gas.detect(y, EXAMINED), Kind.CONSTANT_FLOW, EXAMINED + 10))
                .isTrue();

        // AND a meter whose heating kept a floor of 0.3 m³ an hour through its reference weeks is not flagged for it
        double[] heating = household(8, 0.01);
        for (int t = 0; t < heating.length; t++) {
            heating[t] += 0.3;
        }
        assertThat(has(gas.detect(heating, EXAMINED), Kind.CONSTANT_FLOW, EXAMINED + 10))
                .isFalse();
    }

    @Test
    void tooLittleHistory_saysNothing() {
        double[] y = household(9, 1);
        y[5 * 24] = 1_000;

        assertThat(water.detect(java.util.Arrays.copyOf(y, 6 * 24), 5 * 24)).isEmpty();
    }
}
