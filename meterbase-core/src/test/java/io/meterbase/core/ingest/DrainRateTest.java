package io.meterbase.core.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The writer's drain rate, learned from its commits. */
class DrainRateTest {

    private static long nanos(double seconds) {
        return (long) (seconds * 1e9);
    }

    @Test
    void largeCommits_teachTheCostPerReading_smallOnesTheCostPerCommit() {
        DrainRate rate = new DrainRate(1_000_000, 200_000);
        for (int i = 0; i < 200; i++) {
            rate.record(10, nanos(0.004)); // small commits: 4 ms each, whatever their size
        }
        for (int i = 0; i < 20; i++) {
            rate.record(100_000, nanos(0.004 + 100_000 * 10e-6)); // 10 µs a reading
        }
        // 50,000 readings queued: one commit's fixed cost and 0.5 s of readings
        assertThat(rate.secondsFor(50_000)).isCloseTo(0.504, within(0.01));
        // 500,000 readings: three commits of at most 200,000
        assertThat(rate.secondsFor(500_000)).isCloseTo(3 * 0.004 + 5.0, within(0.05));
        assertThat(rate.secondsFor(0)).isZero();
    }

    @Test
    void oneCommitThatPaidForALongFlush_movesTheRateByItsShareOfTheReadings() {
        // GIVEN a writer measured at 10 µs a reading over commits of 100,000 readings
        DrainRate rate = new DrainRate(1_000_000, 200_000);
        for (int i = 0; i < 20; i++) {
            rate.record(100_000, nanos(0.002 + 1.0));
        }
        double before = rate.secondsFor(20_000);

        // WHEN a commit of 1,500 readings also carries 0.5 s of rollup work done before it
        rate.record(1_500, nanos(0.5));

        // THEN 20,000 queued readings are still expected to take about 0.2 s, not the 6.7 s that commit's own ratio
        // (333 µs a reading) would say; such a misjudgement refused small uploads as "busy" behind a modest queue
        assertThat(before).isCloseTo(0.2, within(0.01));
        assertThat(rate.secondsFor(20_000)).isLessThan(0.35);
    }

    @Test
    void aStoreThatBecomesSlower_isLearnedWithinAFewLargeCommits() {
        DrainRate rate = new DrainRate(1_000_000, 200_000);
        for (int i = 0; i < 20; i++) {
            rate.record(100_000, nanos(0.7)); // 7 µs a reading
        }
        for (int i = 0; i < 6; i++) {
            rate.record(100_000, nanos(7.0)); // now 70 µs a reading
        }
        assertThat(rate.secondsFor(100_000)).isGreaterThan(6.0);
    }
}
