package io.meterbase.core.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.meterbase.core.energy.ChannelInfo;
import io.meterbase.core.energy.EnergyRules;
import io.meterbase.core.energy.RollupTracker;
import io.meterbase.core.model.Accumulation;
import io.meterbase.core.model.Channel;
import io.meterbase.core.model.Quantity;
import io.meterbase.core.model.Reading;
import io.meterbase.core.store.ReadingKey;
import io.meterbase.core.store.Rollup;
import io.meterbase.core.store.WriteBatch;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The hourly rollups of {@link RollupTracker} over the in-memory reading store, fed as the durable writer feeds it:
 * readings are stored first, then handed to the tracker as fresh (newer than everything stored of their channel) or
 * as stale hours (late readings), and written by a flush. Expected values are worked out by hand from
 * {@link EnergyRules} and {@link io.meterbase.core.energy.CounterStep}: power is integrated by the trapezoid rule over
 * gaps of up to 15 minutes, a register counts its steps, and each step belongs to the hour of its later reading.
 */
class RollupTrackerTest {

    private static final long HOUR = RollupTracker.HOUR;
    private static final long MINUTE = 60_000L;
    /** The start of an hour (2025-11-24T16:00:00Z). */
    private static final long T0 = 1_764_000_000_000L / HOUR * HOUR;

    private static final double EPS = 1e-9;

    private static final Channel POWER = new Channel(1, 1, "power", Quantity.ACTIVE_POWER, Accumulation.INSTANT);
    private static final Channel REGISTER =
            new Channel(2, 1, "energy", Quantity.ENERGY_IMPORT, Accumulation.CUMULATIVE);
    private static final Channel INTERVAL =
            new Channel(3, 1, "energy_delta", Quantity.ENERGY_IMPORT, Accumulation.INTERVAL);
    private static final Channel VOLTAGE = new Channel(4, 1, "voltage", Quantity.VOLTAGE, Accumulation.INSTANT);
    private static final Channel SECOND_REGISTER =
            new Channel(5, 1, "energy2", Quantity.ENERGY_IMPORT, Accumulation.CUMULATIVE);

    private static final ChannelInfo INFO = new ChannelInfo() {
        private final Map<Integer, Channel> channels =
                Map.of(1, POWER, 2, REGISTER, 3, INTERVAL, 4, VOLTAGE, 5, SECOND_REGISTER);

        @Override
        public Optional<Channel> channel(int channelId) {
            return Optional.ofNullable(channels.get(channelId));
        }

        @Override
        public ZoneId zone(int channelId) {
            return ZoneOffset.UTC;
        }
    };

    private final MemoryReadingStore store = new MemoryReadingStore();
    private final RollupTracker tracker = new RollupTracker(store, INFO, new EnergyRules(15 * MINUTE));

    private static Reading at(Channel channel, long minutes, double value) {
        return new Reading(channel.id(), T0 + minutes * MINUTE, value);
    }

    /** Stores readings newer than every stored one of their channel, hands them on as fresh, and flushes. */
    private void fresh(Reading... readings) {
        store.append(new WriteBatch(List.of(readings), List.of(), List.of()));
        tracker.addFresh(List.of(readings));
        tracker.flush();
    }

    /** Stores late readings with their hours marked stale, as the writer does, hands the hours on, and flushes. */
    private void late(Reading... readings) {
        List<ReadingKey> hours = new ArrayList<>();
        for (Reading r : readings) {
            hours.add(new ReadingKey(r.channelId(), RollupTracker.hourOf(r.timestamp())));
        }
        store.append(new WriteBatch(List.of(readings), List.of(), hours));
        tracker.markStale(hours);
        tracker.flush();
    }

    private Rollup hour(Channel channel, int hour) {
        return store.hour(channel.id(), T0 + hour * HOUR)
                .orElseThrow(() -> new AssertionError("no rollup of channel " + channel.name() + " hour " + hour));
    }

    @Test
    void powerReadingsOverAnHour_giveItsEnergyByTrapezoid_andTheStepIntoTheNextHourCountsThere() {
        // GIVEN active power of 1000, 2000, 2000 and 1000 W, a quarter of an hour apart, then 1000 W on the hour
        fresh(at(POWER, 0, 1000), at(POWER, 15, 2000), at(POWER, 30, 2000), at(POWER, 45, 1000));
        fresh(at(POWER, 60, 1000));

        // THEN the first hour has (1500 + 2000 + 1500 W) x 0.25 h = 1250 Wh, its count, sum, average, min and max;
        // and the last quarter (1000 W x 0.25 h = 250 Wh) belongs to the hour of its later reading
        Rollup first = hour(POWER, 0);
        assertThat(first.count()).isEqualTo(4);
        assertThat(first.energy()).isCloseTo(1250.0, within(EPS));
        assertThat(first.sum()).isEqualTo(6000.0);
        assertThat(first.avg()).isEqualTo(1500.0);
        assertThat(first.min()).isEqualTo(1000.0);
        assertThat(first.max()).isEqualTo(2000.0);
        Rollup second = hour(POWER, 1);
        assertThat(second.count()).isEqualTo(1);
        assertThat(second.energy()).isCloseTo(250.0, within(EPS));
    }

    @Test
    void powerReadingsFurtherApartThanTheLongestGap_countNoEnergyForTheGap() {
        // GIVEN 600 W, then 600 W 16 minutes later (beyond the 15 minutes integrated at most), then 600 W 10
        // minutes after that
        fresh(at(POWER, 0, 600), at(POWER, 16, 600), at(POWER, 26, 600));

        // THEN only the last 10 minutes count: 600 W x 1/6 h = 100 Wh
        assertThat(hour(POWER, 0).energy()).isCloseTo(100.0, within(EPS));
        assertThat(hour(POWER, 0).count()).isEqualTo(3);
    }

    @Test
    void aCumulativeRegister_givesEachHoursConsumptionAsTheDifference_intervalsTheirSum_andVoltageNone() {
        // GIVEN a register read at 10,000, 10,250 and 10,600 Wh in one hour and 10,700 and 10,900 Wh in the next;
        // an interval channel reporting 5, 7 and 8 Wh; a voltage
        fresh(
                at(REGISTER, 0, 10_000),
                at(REGISTER, 20, 10_250),
                at(REGISTER, 40, 10_600),
                at(INTERVAL, 10, 5),
                at(INTERVAL, 20, 7),
                at(INTERVAL, 30, 8),
                at(VOLTAGE, 0, 230),
                at(VOLTAGE, 30, 234));
        fresh(at(REGISTER, 70, 10_700), at(REGISTER, 80, 10_900));

        // THEN the register's first hour consumed 10,600 - 10,000 = 600 Wh (its first reading counts nothing) and
        // the second 10,900 - 10,600 = 300 Wh; the interval channel 5 + 7 + 8 = 20 Wh, its first reading included;
        // and the voltage's rollup has its average but no energy
        assertThat(hour(REGISTER, 0).energy()).isEqualTo(600.0);
        assertThat(hour(REGISTER, 1).energy()).isEqualTo(300.0);
        assertThat(hour(REGISTER, 1).count()).isEqualTo(2);
        assertThat(hour(INTERVAL, 0).energy()).isEqualTo(20.0);
        assertThat(hour(VOLTAGE, 0).avg()).isEqualTo(232.0);
        assertThat(hour(VOLTAGE, 0).hasEnergy()).isFalse();
    }

    @Test
    void aLateReadingForAnEarlierHour_updatesThatHour_andTheHourAfterIt_andLaterReadingsBuildOnThat() {
        // GIVEN a register at 1,000 and 1,100 Wh in one hour, 1,300 and 1,400 Wh in the next: 100 and 300 Wh
        fresh(at(REGISTER, 0, 1_000), at(REGISTER, 30, 1_100), at(REGISTER, 70, 1_300), at(REGISTER, 90, 1_400));
        assertThat(hour(REGISTER, 0).energy()).isEqualTo(100.0);
        assertThat(hour(REGISTER, 1).energy()).isEqualTo(300.0);

        // WHEN a reading of 1,250 Wh at minute 50 arrives late
        late(at(REGISTER, 50, 1_250));

        // THEN the first hour consumed 250 Wh (three readings), and the next, whose first step now starts at 1,250,
        // 150 Wh; the total is still 400 Wh, and the stale mark is gone
        assertThat(hour(REGISTER, 0).energy()).isEqualTo(250.0);
        assertThat(hour(REGISTER, 0).count()).isEqualTo(3);
        assertThat(hour(REGISTER, 1).energy()).isEqualTo(150.0);
        assertThat(hour(REGISTER, 1).count()).isEqualTo(2);
        assertThat(store.staleHours()).isEmpty();

        // AND WHEN a fresh reading of 1,500 Wh follows in the open hour
        fresh(at(REGISTER, 100, 1_500));

        // THEN it adds its 100 Wh to the corrected hour, not to the one before the correction
        assertThat(hour(REGISTER, 1).energy()).isEqualTo(250.0);
        assertThat(hour(REGISTER, 1).count()).isEqualTo(3);
    }

    @Test
    void aRegisterThatRollsOver_isReplaced_orIsReset_countsOnlyWhatWasConsumed() {
        // GIVEN a six-digit register that passes 999,999 (999,900 -> 999,990 -> 40), grows to 1,040, is replaced
        // by one showing 800 that grows to 820, and is then reset to zero (showing 4 when read)
        fresh(
                at(REGISTER, 0, 999_900),
                at(REGISTER, 10, 999_990),
                at(REGISTER, 20, 40),
                at(REGISTER, 30, 1_040),
                at(REGISTER, 40, 800),
                at(REGISTER, 50, 820),
                at(REGISTER, 55, 4));

        // THEN the hour consumed 90 + 50 (across the wrap) + 1,000 + 0 (the replacement goes backwards: nothing is
        // counted) + 20 (from the new meter's first value) + 4 (since the reset) = 1,164 Wh
        Rollup rollup = hour(REGISTER, 0);
        assertThat(rollup.energy()).isCloseTo(1_164.0, within(EPS));
        assertThat(rollup.count()).isEqualTo(7);
    }

    @Test
    void aRegisterThatStepsBackALittle_countsTheClimbBackOnlyOnce() {
        // GIVEN a register at 100,000 Wh that steps back to 99,990 (a corrected reading), then reads 99,995,
        // 100,005 and 100,020
        fresh(
                at(REGISTER, 0, 100_000),
                at(REGISTER, 10, 99_990),
                at(REGISTER, 20, 99_995),
                at(REGISTER, 30, 100_005),
                at(REGISTER, 40, 100_020));

        // THEN the hour consumed what the register passed beyond its highest value: 20 Wh, not 10 + 15 + 5 = 30
        assertThat(hour(REGISTER, 0).energy()).isCloseTo(20.0, within(EPS));

        // AND WHEN a late reading lands in the next hour's start and that hour is recomputed from the store
        fresh(at(REGISTER, 70, 100_050));
        late(at(REGISTER, 61, 100_030));

        // THEN the recomputation starts from the same trusted value (100,020): 30 Wh in the second hour
        assertThat(hour(REGISTER, 1).energy()).isCloseTo(30.0, within(EPS));
        assertThat(hour(REGISTER, 0).energy() + hour(REGISTER, 1).energy()).isCloseTo(50.0, within(EPS));
    }

    @Test
    void aLateHourAfterAStepBack_isRecomputedFromTheRegistersHighestValue() {
        // GIVEN a step back at the end of one hour, and the next hour's readings, one of them late
        fresh(at(REGISTER, 0, 100_000), at(REGISTER, 50, 100_100), at(REGISTER, 55, 100_090));
        fresh(at(REGISTER, 70, 100_120), at(REGISTER, 90, 100_150));
        assertThat(hour(REGISTER, 1).energy()).isCloseTo(50.0, within(EPS));

        // WHEN a reading at minute 80 arrives late, so that the second hour is recomputed from the store
        late(at(REGISTER, 80, 100_130));

        // THEN it starts from 100,100 (the highest value), not from the 100,090 read last before the hour
        assertThat(hour(REGISTER, 1).energy()).isCloseTo(50.0, within(EPS));
    }

    @Test
    void aRegisterThatJumpsAbsurdly_countsNothingForTheJump_whetherItWasAGlitchOrANewMeter() {
        // GIVEN a register that glitches to 1e9 Wh for one reading (more than 1 MW could add in a minute) and
        // comes back, and another register that jumps and goes on from the jump (a new meter)
        fresh(
                at(REGISTER, 0, 1_000),
                at(REGISTER, 1, 1_000_000_000),
                at(REGISTER, 2, 1_010),
                at(SECOND_REGISTER, 0, 1_000),
                at(SECOND_REGISTER, 1, 5_000_000),
                at(SECOND_REGISTER, 2, 5_000_020));

        // THEN the glitch counts nothing and consumption goes on from before it (1,000 -> 1,010: 10 Wh); the new
        // meter counts only from its first reading (5,000,000 -> 5,000,020: 20 Wh)
        assertThat(hour(REGISTER, 0).energy()).isEqualTo(10.0);
        assertThat(hour(SECOND_REGISTER, 0).energy()).isEqualTo(20.0);
    }

    @Test
    void afterACrash_recoverRebuildsTheHoursNotYetRolledUp_fromTheStoredReadings() {
        // GIVEN readings that were stored, but never rolled up, over two hours (a crash before the flush)
        store.append(new WriteBatch(
                List.of(at(POWER, 0, 1200), at(POWER, 10, 1200), at(POWER, 60, 600), at(POWER, 70, 600)),
                List.of(),
                List.of()));

        // WHEN a new tracker recovers
        tracker.recover();

        // THEN both hours are rolled up: 1200 W x 1/6 h = 200 Wh; the 50-minute gap counts nothing; 600 W x 1/6 h
        // = 100 Wh
        assertThat(hour(POWER, 0).energy()).isCloseTo(200.0, within(EPS));
        assertThat(hour(POWER, 1).energy()).isCloseTo(100.0, within(EPS));
        assertThat(hour(POWER, 1).count()).isEqualTo(2);

        // AND a fresh reading continues the open hour: 600 W for 10 more minutes adds 100 Wh
        fresh(at(POWER, 80, 600));
        assertThat(hour(POWER, 1).energy()).isCloseTo(200.0, within(EPS));
        assertThat(hour(POWER, 1).count()).isEqualTo(3);
    }
}
