package io.meterbase.core.energy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.meterbase.core.energy.CounterStep.Kind;
import org.junit.jupiter.api.Test;

class CounterStepTest {

    private static final double MAX = 1e6; // Wh per hour
    private static final long MINUTE = 60_000;

    @Test
    void growth_isConsumption() {
        CounterStep s = CounterStep.between(1000, 1012.5, MINUTE, MAX);

        assertThat(s.kind()).isEqualTo(Kind.NORMAL);
        assertThat(s.delta()).isEqualTo(12.5);
    }

    @Test
    void rollover_ofSixDigitRegister_countsAcrossTheWrap() {
        CounterStep s = CounterStep.between(999_990, 15, MINUTE, MAX);

        assertThat(s.kind()).isEqualTo(Kind.ROLLOVER);
        assertThat(s.delta()).isEqualTo(25, within(1e-9));
    }

    @Test
    void reset_toZero_countsWhatWasConsumedSince() {
        CounterStep s = CounterStep.between(52_000, 3, MINUTE, MAX);

        assertThat(s.kind()).isEqualTo(Kind.RESET);
        assertThat(s.delta()).isEqualTo(3);
    }

    @Test
    void replacement_withOtherRegister_countsNothing() {
        CounterStep s = CounterStep.between(52_000, 40_000, MINUTE, MAX);

        assertThat(s.kind()).isEqualTo(Kind.BACKWARDS);
        assertThat(s.delta()).isZero();
    }

    @Test
    void aSmallStepBack_countsNothing_andIsAStepBack_notAnotherMeter() {
        // a water register corrected from 68,321 to 68,310 L: 11 L back, within 1 % of its value
        CounterStep s = CounterStep.between(68_321, 68_310, MINUTE, MAX);

        assertThat(s.kind()).isEqualTo(Kind.STEP_BACK);
        assertThat(s.delta()).isZero();
        assertThat(s.wentBack()).isTrue();
        assertThat(CounterStep.between(52_000, 40_000, MINUTE, MAX).wentBack()).isTrue();
        assertThat(CounterStep.between(100, 110, MINUTE, MAX).wentBack()).isFalse();
    }

    @Test
    void spike_beyondPhysicalLimit_countsNothing() {
        // 1 MW for one minute is at most 16.7 kWh
        CounterStep s = CounterStep.between(1000, 1_000_000_000, MINUTE, MAX);

        assertThat(s.kind()).isEqualTo(Kind.SPIKE);
        assertThat(s.delta()).isZero();
    }

    @Test
    void spikeThenReturn_leavesNoNegativeConsumption() {
        CounterStep up = CounterStep.between(1000, 900_000_000, MINUTE, MAX);
        CounterStep back = CounterStep.between(900_000_000, 1010, MINUTE, MAX);

        assertThat(up.delta() + back.delta()).isBetween(0.0, 1010.0);
        assertThat(back.delta()).isGreaterThanOrEqualTo(0);
    }
}
