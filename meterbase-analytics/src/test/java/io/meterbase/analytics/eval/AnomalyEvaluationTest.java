package io.meterbase.analytics.eval;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterbase.analytics.incident.AnomalyDetector;
import io.meterbase.analytics.incident.AnomalyDetector.Kind;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Anomaly detection on the held-out half of the real DAIAD water meters (the half that took no part in choosing the
 * thresholds), with injected anomalies: the figures of docs/analytics.md must not fall below what they reach.
 */
class AnomalyEvaluationTest {

    @Test
    void onHeldOutWaterMeters_precisionAndRecallStayAboveTheirFloors() throws Exception {
        List<WaterMeters.Meter> meters = WaterMeters.read(Path.of("../../shared/data/daiad-water/swm_trialA.zip"));
        List<WaterMeters.Meter> heldOut = AnomalyEvaluation.half(AnomalyEvaluation.usable(meters), false);
        assertThat(heldOut).hasSizeGreaterThan(20);

        AnomalyEvaluation.Result r =
                AnomalyEvaluation.evaluate(heldOut, new AnomalyDetector(AnomalyDetector.Settings.water()));

        assertThat(r.of(Kind.NEGATIVE).recall()).isEqualTo(1.0);
        assertThat(r.of(Kind.SPIKE).recall()).isGreaterThan(FLOOR_SPIKE_RECALL);
        assertThat(r.of(Kind.SPIKE).precision()).isGreaterThan(FLOOR_SPIKE_PRECISION);
        assertThat(r.of(Kind.STUCK).recall()).isGreaterThan(FLOOR_STUCK_RECALL);
        assertThat(r.of(Kind.CONSTANT_FLOW).recall()).isGreaterThan(FLOOR_CONSTANT_RECALL);
        assertThat(r.of(Kind.CONSTANT_FLOW).precision()).isGreaterThan(FLOOR_CONSTANT_PRECISION);
        assertThat(r.of(Kind.UNUSUAL_DAY).recall()).isGreaterThan(FLOOR_DAY_RECALL);
        assertThat(r.of(Kind.UNUSUAL_DAY).precision()).isGreaterThan(FLOOR_DAY_PRECISION);
    }

    // a little below the figures that `scripts/evaluate ../shared/data anomalies` measured (docs/analytics.md)
    private static final double FLOOR_SPIKE_RECALL = 0.70;
    private static final double FLOOR_SPIKE_PRECISION = 0.90;
    private static final double FLOOR_STUCK_RECALL = 0.95;
    private static final double FLOOR_CONSTANT_RECALL = 0.93;
    private static final double FLOOR_CONSTANT_PRECISION = 0.97;
    private static final double FLOOR_DAY_RECALL = 0.38;
    private static final double FLOOR_DAY_PRECISION = 0.53;
}
