package io.meterbase.analytics.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The naive baselines every forecast figure is compared with, and the meter-by-meter summary. */
class HourlyEvaluationTest {

    @Test
    void theBaselines_arePersistence_theSameHourYesterday_andTheSameHourLastWeek() {
        // GIVEN a series rising by 1 kWh every hour, and hour 195 forecast from the midnight before (index 191)
        double[] y = new double[200];
        for (int i = 0; i < y.length; i++) {
            y[i] = i;
        }
        HourlyEvaluation.Result r = new HourlyEvaluation.Result();

        r.naive(y, 192, 195);

        // THEN next-hour persistence misses by 1, next-day persistence (the last hour before midnight) by 4, the
        // same hour yesterday by 24 and last week by 168; persistence is the best naive for both tasks
        assertThat(r.hourPersistence.mae()).isEqualTo(1);
        assertThat(r.dayPersistence.mae()).isEqualTo(4);
        assertThat(r.hourYesterday.mae()).isEqualTo(24);
        assertThat(r.dayLastWeek.mae()).isEqualTo(168);
        assertThat(r.bestNaiveHour()).isSameAs(r.hourPersistence);
        assertThat(r.bestNaiveDay()).isSameAs(r.dayPersistence);
    }

    @Test
    void perMeter_givesTheMedianReduction_andTheShareOfMetersBeatingTheirBestNaive() {
        // GIVEN three meters whose next-hour model errs 1, 6 and 9 where their best naive errs 2, 5 and 10
        List<HourlyEvaluation.Result> meters = List.of(meter(1, 2), meter(6, 5), meter(9, 10));

        HourlyEvaluation.PerMeter p = HourlyEvaluation.PerMeter.of(meters, false);

        // THEN the reductions are 50 %, -20 % and 10 %: median 10 %, two of three beat their best naive
        assertThat(p.meters()).isEqualTo(3);
        assertThat(p.medianReduction()).isCloseTo(0.10, within(1e-12));
        assertThat(p.shareBeatingBestNaive()).isCloseTo(2 / 3.0, within(1e-12));
    }

    private static HourlyEvaluation.Result meter(double modelError, double naiveError) {
        HourlyEvaluation.Result r = new HourlyEvaluation.Result();
        r.hourModel.add(100 + modelError, 100);
        r.hourPersistence.add(100 + naiveError, 100);
        r.hourYesterday.add(100 + 2 * naiveError, 100);
        r.hourLastWeek.add(100 + 3 * naiveError, 100);
        return r;
    }
}
