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
 * gaps of up to 15 minutes, a register counts its steps, an interval reading is stamped at the end of its period,
 * and each step is shared among the hours it covers by time.
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
    /** A register of a site in Berlin, whose days change length with daylight saving time. */
    private static final Channel BERLIN_REGISTER =
            new Channel(6, 1, "energy_berlin", Quantity.ENERGY_IMPORT, Accumulation.CUMULATIVE);

    /** A meter's register of the energy sent to the grid. */
    private static final Channel EXPORT_REGISTER =
            new Channel(7, 1, "energy_export", Quantity.ENERGY_EXPORT, Accumulation.CUMULATIVE);

    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    /** The midnight (UTC) that starts the day of {@link #T0}. */
    private static final long DAY0 = T0 / (24 * HOUR) * (24 * HOUR);

    private static final ChannelInfo INFO = new ChannelInfo() {
        private final Map<Integer, Channel> channels = Map.of(
                1,
                POWER,
                2,
                REGISTER,
                3,
                INTERVAL,
                4,
                VOLTAGE,
                5,
                SECOND_REGISTER,
                6,
                BERLIN_REGISTER,
                7,
                EXPORT_REGISTER);

        @Override
        public Optional<Channel> channel(int channelId) {
            return Optional.ofNullable(channels.get(channelId));
        }

        @Override
        public ZoneId zone(int channelId) {
            return channelId == BERLIN_REGISTER.id() ? BERLIN : ZoneOffset.UTC;
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

    private static Reading read(Channel channel, long timestamp, double value) {
        return new Reading(channel.id(), timestamp, value);
    }

    private Rollup hourAt(Channel channel, long start) {
        return store.hour(channel.id(), start)
                .orElseThrow(() -> new AssertionError("no rollup of channel " + channel.name() + " at " + start));
    }

    private Rollup dayAt(Channel channel, long start) {
        List<Rollup> days = store.daily(List.of(channel.id()), start, start + 1);
        assertThat(days)
                .as("the day of channel %s starting at %d", channel.name(), start)
                .hasSize(1);
        return days.get(0);
    }

    private Rollup hour(Channel channel, int hour) {
        return store.hour(channel.id(), T0 + hour * HOUR)
                .orElseThrow(() -> new AssertionError("no rollup of channel " + channel.name() + " hour " + hour));
    }

    @Test
    void powerReadingsOverAnHour_giveItsEnergyByTrapezoid_andTheStepUpToTheHourCountsInIt() {
        // GIVEN active power of 1000, 2000, 2000 and 1000 W, a quarter of an hour apart, then 1000 W on the hour
        fresh(at(POWER, 0, 1000), at(POWER, 15, 2000), at(POWER, 30, 2000), at(POWER, 45, 1000));
        fresh(at(POWER, 60, 1000));

        // THEN the first hour has (1500 + 2000 + 1500 + 1000 W) x 0.25 h = 1500 Wh (its last quarter too, which it
        // covers), its count, sum, average, min and max; the reading on the hour counts in the next, with no energy
        Rollup first = hour(POWER, 0);
        assertThat(first.count()).isEqualTo(4);
        assertThat(first.energy()).isCloseTo(1500.0, within(EPS));
        assertThat(first.sum()).isEqualTo(6000.0);
        assertThat(first.avg()).isEqualTo(1500.0);
        assertThat(first.min()).isEqualTo(1000.0);
        assertThat(first.max()).isEqualTo(2000.0);
        Rollup second = hour(POWER, 1);
        assertThat(second.count()).isEqualTo(1);
        assertThat(second.energy()).isZero();
        assertThat(first.isEstimated()).isFalse();
    }

    @Test
    void powerStepsAcrossTheHour_areSplitByTheTrapezoid() {
        // GIVEN 1000 W at minute 55, rising to 3000 W at minute 65
        fresh(at(POWER, 55, 1000), at(POWER, 65, 3000));

        // THEN the power at minute 60 is 2000 W: the first hour has (1000 + 2000) / 2 W x 1/12 h = 125 Wh, the
        // second (2000 + 3000) / 2 W x 1/12 h = 208.3 Wh
        assertThat(hour(POWER, 0).energy()).isCloseTo(125.0, within(EPS));
        assertThat(hour(POWER, 1).energy()).isCloseTo(2500.0 / 12, within(EPS));
    }

    @Test
    void powerThatChangesSign_booksEachDirectionOnItsOwnSide_neverNegativeConsumption() {
        // GIVEN a grid meter: 1200 W imported at minute 0, 600 W exported (-600 W) at minute 15, -600 W at minute
        // 30, then 300 W imported at minute 45
        fresh(at(POWER, 0, 1200), at(POWER, 15, -600), at(POWER, 30, -600), at(POWER, 45, 300));

        // THEN the line crosses zero at minute 10 (1200 / 1800 of 15) and at minute 40 (600 / 900 of 15):
        // in = 1200 W / 2 x 10 min + 300 W / 2 x 5 min = 100 + 12.5 = 112.5 Wh;
        // out = 600 W / 2 x 5 min + 600 W x 15 min + 600 W / 2 x 10 min = 25 + 150 + 50 = 225 Wh
        Rollup first = hour(POWER, 0);
        assertThat(first.energy()).isCloseTo(112.5, within(EPS));
        assertThat(first.energyOut()).isCloseTo(225.0, within(EPS));
        assertThat(first.net()).isCloseTo(-112.5, within(EPS));
        assertThat(first.min()).isEqualTo(-600.0);
        // the day adds up both sides on their own
        Rollup day = dayAt(POWER, DAY0);
        assertThat(day.energy()).isCloseTo(112.5, within(EPS));
        assertThat(day.energyOut()).isCloseTo(225.0, within(EPS));
    }

    @Test
    void anExportRegisterThatIsReset_countsWhatWentOutBeforeAndAfterTheReset() {
        // GIVEN an export register at 1000 Wh, 1040 Wh, then reset by the meter to 5 Wh, then 25 Wh
        fresh(at(EXPORT_REGISTER, 0, 1000), at(EXPORT_REGISTER, 15, 1040));
        fresh(at(EXPORT_REGISTER, 30, 5), at(EXPORT_REGISTER, 45, 25));

        // THEN the hour exported 40 + 5 + 20 = 65 Wh, in the register's own direction (energy), none against it
        assertThat(hour(EXPORT_REGISTER, 0).energy()).isCloseTo(65.0, within(EPS));
        assertThat(hour(EXPORT_REGISTER, 0).energyOut()).isZero();
    }

    @Test
    void negativeIntervalAmounts_areEnergyOut_andRegistersNeverHaveAny() {
        // GIVEN a net interval channel: 50 Wh in, then -80 Wh (out), 15 minutes apart; a register climbing 40 Wh
        fresh(at(INTERVAL, 15, 50), at(INTERVAL, 30, -80));
        fresh(at(REGISTER, 0, 1000), at(REGISTER, 30, 1040));

        assertThat(hour(INTERVAL, 0).energy()).isCloseTo(50.0, within(EPS));
        assertThat(hour(INTERVAL, 0).energyOut()).isCloseTo(80.0, within(EPS));
        assertThat(hour(REGISTER, 0).energy()).isCloseTo(40.0, within(EPS));
        assertThat(hour(REGISTER, 0).energyOut()).isZero();
        // voltage has no energy either way
        fresh(at(VOLTAGE, 0, 230));
        assertThat(hour(VOLTAGE, 0).energyOut()).isNaN();
    }

    @Test
    void powerReadingsFurtherApartThanTheLongestGap_countNoEnergyForTheGap() {
        // GIVEN 600 W, then 600 W 16 minutes later (beyond the 15 minutes integrated at most), then 600 W 10
        // minutes after that
        fresh(at(POWER, 0, 600), at(POWER, 16, 600), at(POWER, 26, 600));

        // THEN only the last 10 minutes count: 600 W x 1/6 h = 100 Wh, and the 16 minutes are reported as a gap
        assertThat(hour(POWER, 0).energy()).isCloseTo(100.0, within(EPS));
        assertThat(hour(POWER, 0).count()).isEqualTo(3);
        assertThat(hour(POWER, 0).gapMillis()).isEqualTo(16 * MINUTE);
        assertThat(hour(POWER, 0).isEstimated()).isTrue();
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
        // 20 of the 30 minutes of the step to 10,700 (100 Wh): 666.7 Wh; the second the rest of that step, 33.3 Wh,
        // and 200 Wh; the interval channel 5 + 7 + 8 = 20 Wh, its first reading included; and the voltage's rollup
        // has its average but no energy
        assertThat(hour(REGISTER, 0).energy()).isCloseTo(600 + 200.0 / 3, within(EPS));
        assertThat(hour(REGISTER, 1).energy()).isCloseTo(200 + 100.0 / 3, within(EPS));
        assertThat(hour(REGISTER, 0).isEstimated()).isFalse();
        assertThat(hour(REGISTER, 1).count()).isEqualTo(2);
        assertThat(hour(INTERVAL, 0).energy()).isEqualTo(20.0);
        assertThat(hour(VOLTAGE, 0).avg()).isEqualTo(232.0);
        assertThat(hour(VOLTAGE, 0).hasEnergy()).isFalse();
    }

    @Test
    void aLateReadingForAnEarlierHour_updatesThatHour_andTheHourAfterIt_andLaterReadingsBuildOnThat() {
        // GIVEN a register at 1,000 and 1,100 Wh in one hour, 1,300 and 1,400 Wh in the next; the step of 200 Wh
        // from minute 30 to 70 is shared 3:1 between them: 100 + 150 = 250 Wh and 50 + 100 = 150 Wh
        fresh(at(REGISTER, 0, 1_000), at(REGISTER, 30, 1_100), at(REGISTER, 70, 1_300), at(REGISTER, 90, 1_400));
        assertThat(hour(REGISTER, 0).energy()).isCloseTo(250.0, within(EPS));
        assertThat(hour(REGISTER, 1).energy()).isCloseTo(150.0, within(EPS));

        // WHEN a reading of 1,250 Wh at minute 50 arrives late
        late(at(REGISTER, 50, 1_250));

        // THEN the first hour consumed 100 + 150 Wh and half of the 50 Wh step from minute 50 to 70: 275 Wh (three
        // readings); the next 25 + 100 = 125 Wh; the total is still 400 Wh, and the stale mark is gone
        assertThat(hour(REGISTER, 0).energy()).isCloseTo(275.0, within(EPS));
        assertThat(hour(REGISTER, 0).count()).isEqualTo(3);
        assertThat(hour(REGISTER, 1).energy()).isCloseTo(125.0, within(EPS));
        assertThat(hour(REGISTER, 1).count()).isEqualTo(2);
        assertThat(store.staleHours()).isEmpty();

        // AND WHEN a fresh reading of 1,500 Wh follows in the open hour
        fresh(at(REGISTER, 100, 1_500));

        // THEN it adds its 100 Wh to the corrected hour, not to the one before the correction
        assertThat(hour(REGISTER, 1).energy()).isCloseTo(225.0, within(EPS));
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

        // AND WHEN a late reading lands in the next hour's start and the hours around it are recomputed
        fresh(at(REGISTER, 70, 100_050));
        late(at(REGISTER, 61, 100_030));

        // THEN the recomputation starts from the same trusted value (100,020): the step of 10 Wh to minute 61 gives
        // 20/21 of itself to the first hour, and the two hours hold 50 Wh together
        assertThat(hour(REGISTER, 0).energy()).isCloseTo(20 + 10 * 20.0 / 21, within(EPS));
        assertThat(hour(REGISTER, 0).energy() + hour(REGISTER, 1).energy()).isCloseTo(50.0, within(EPS));
    }

    @Test
    void aLateHourAfterAStepBack_isRecomputedFromTheRegistersHighestValue() {
        // GIVEN a step back at the end of one hour, a reading in the next, and one in the hour after
        fresh(at(REGISTER, 0, 100_000), at(REGISTER, 50, 100_100), at(REGISTER, 55, 100_090));
        fresh(at(REGISTER, 70, 100_120), at(REGISTER, 130, 100_150));
        // the step from the highest value (100,100) to minute 70 is 20 Wh over minutes 55-70: 10 of its 15 minutes
        // in the second hour; the step of 30 Wh to minute 130 gives it 50 of its 60 minutes
        double fromHighest = 20 * 10.0 / 15;
        assertThat(hour(REGISTER, 1).energy()).isCloseTo(fromHighest + 25, within(EPS));

        // WHEN a reading at minute 125 arrives late, so that the hours from the second on are recomputed
        late(at(REGISTER, 125, 100_135));

        // THEN the second hour starts from 100,100 (the highest value, found by replaying the hour before), not from
        // the 100,090 read last before it, and takes 50/55 of the 15 Wh step to minute 125
        assertThat(hour(REGISTER, 1).energy()).isCloseTo(fromHighest + 15 * 50.0 / 55, within(EPS));
        assertThat(hour(REGISTER, 2).energy()).isCloseTo(15 * 5.0 / 55 + 15, within(EPS));
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

        // THEN both hours are rolled up: 1200 W x 1/6 h = 200 Wh; the 50-minute gap counts nothing and is reported;
        // 600 W x 1/6 h = 100 Wh
        assertThat(hour(POWER, 0).energy()).isCloseTo(200.0, within(EPS));
        assertThat(hour(POWER, 0).gapMillis()).isEqualTo(50 * MINUTE);
        assertThat(hour(POWER, 1).energy()).isCloseTo(100.0, within(EPS));
        assertThat(hour(POWER, 1).count()).isEqualTo(2);

        // AND a fresh reading continues the open hour: 600 W for 10 more minutes adds 100 Wh
        fresh(at(POWER, 80, 600));
        assertThat(hour(POWER, 1).energy()).isCloseTo(200.0, within(EPS));
        assertThat(hour(POWER, 1).count()).isEqualTo(3);
    }

    @Test
    void intervalsStampedAtTheEndOfTheirPeriod_belongToThePeriodTheyMeasured_notTheNextDay() {
        long midnight = DAY0 + 24 * HOUR;
        // GIVEN half-hourly interval energy stamped at the end of each half hour: 22:30-23:00 80 Wh,
        // 23:00-23:30 100 Wh, 23:30-24:00 200 Wh (stamped 00:00 of the next day), 00:00-00:30 50 Wh
        fresh(
                read(INTERVAL, midnight - HOUR, 80),
                read(INTERVAL, midnight - 30 * MINUTE, 100),
                read(INTERVAL, midnight, 200),
                read(INTERVAL, midnight + 30 * MINUTE, 50));

        // THEN the reading stamped at midnight is yesterday's: 22:00 has 80 Wh, 23:00 300 Wh, the day 380 Wh, and
        // the next day starts with 50 Wh; nothing is estimated
        assertThat(hourAt(INTERVAL, midnight - 2 * HOUR).energy()).isEqualTo(80.0);
        assertThat(hourAt(INTERVAL, midnight - HOUR).energy()).isEqualTo(300.0);
        assertThat(dayAt(INTERVAL, DAY0).energy()).isEqualTo(380.0);
        assertThat(dayAt(INTERVAL, DAY0).isEstimated()).isFalse();
        assertThat(dayAt(INTERVAL, midnight).energy()).isEqualTo(50.0);

        // AND WHEN two half hours go missing (the next reading is for 01:30-02:00)
        fresh(read(INTERVAL, midnight + 2 * HOUR, 70));

        // THEN its 70 Wh are booked to its own half hour, and the missing hour is reported as a gap, not a zero
        assertThat(hourAt(INTERVAL, midnight + HOUR).energy()).isEqualTo(70.0);
        assertThat(hourAt(INTERVAL, midnight + HOUR).gapMillis()).isEqualTo(30 * MINUTE);
        assertThat(hourAt(INTERVAL, midnight).gapMillis()).isEqualTo(30 * MINUTE);
        assertThat(dayAt(INTERVAL, midnight).gapMillis()).isEqualTo(HOUR);
    }

    @Test
    void registersReadAtMidnight_giveEachDayWhatWasConsumedInIt_estimatedHourByHour() {
        // GIVEN a register read only at midnight: 1,000, 3,400 and 5,800 Wh
        fresh(
                read(REGISTER, DAY0, 1_000),
                read(REGISTER, DAY0 + 24 * HOUR, 3_400),
                read(REGISTER, DAY0 + 48 * HOUR, 5_800));

        // THEN each day consumed 2,400 Wh, booked to the day it was consumed in (not to the day of the later read),
        // 100 Wh an hour, all of it flagged estimated; the hours without a reading have no values
        Rollup first = dayAt(REGISTER, DAY0);
        assertThat(first.energy()).isCloseTo(2_400.0, within(1e-6));
        assertThat(first.estimated()).isCloseTo(2_400.0, within(1e-6));
        assertThat(dayAt(REGISTER, DAY0 + 24 * HOUR).energy()).isCloseTo(2_400.0, within(1e-6));
        assertThat(dayAt(REGISTER, DAY0 + 48 * HOUR).energy()).isZero();
        Rollup fiveAm = hourAt(REGISTER, DAY0 + 5 * HOUR);
        assertThat(fiveAm.energy()).isCloseTo(100.0, within(EPS));
        assertThat(fiveAm.count()).isZero();
        assertThat(fiveAm.min()).isNaN();
        assertThat(fiveAm.isEstimated()).isTrue();

        // AND WHEN a read taken at noon of the first day (1,600 Wh) arrives late
        late(read(REGISTER, DAY0 + 12 * HOUR, 1_600));

        // THEN every hour of both steps around it is recomputed, the first as far back as midnight: 50 Wh an hour
        // in the morning, 150 Wh an hour in the afternoon, and still 2,400 Wh that day
        assertThat(hourAt(REGISTER, DAY0 + 5 * HOUR).energy()).isCloseTo(50.0, within(EPS));
        assertThat(hourAt(REGISTER, DAY0 + 17 * HOUR).energy()).isCloseTo(150.0, within(EPS));
        assertThat(dayAt(REGISTER, DAY0).energy()).isCloseTo(2_400.0, within(1e-6));
        assertThat(store.staleHours()).isEmpty();
    }

    @Test
    void aFiftyHourGapInARegister_isSpreadOverTheHoursItCovers_notLumpedIntoOneDay() {
        // GIVEN a register read hourly at 0, 100 and 200 Wh, then silent for 50 hours, then read at 5,200 Wh
        fresh(read(REGISTER, DAY0, 0), read(REGISTER, DAY0 + HOUR, 100), read(REGISTER, DAY0 + 2 * HOUR, 200));
        fresh(read(REGISTER, DAY0 + 52 * HOUR, 5_200));

        // THEN the 5,000 Wh are shared by the 50 hours, 100 Wh each and estimated: 22 of them in the first day
        // (with the 200 Wh measured, 2,400 Wh), 24 in the second, 4 in the third; no day is short, missing or
        // tripled
        Rollup first = dayAt(REGISTER, DAY0);
        assertThat(first.energy()).isCloseTo(2_400.0, within(1e-6));
        assertThat(first.estimated()).isCloseTo(2_200.0, within(1e-6));
        assertThat(dayAt(REGISTER, DAY0 + 24 * HOUR).energy()).isCloseTo(2_400.0, within(1e-6));
        assertThat(dayAt(REGISTER, DAY0 + 48 * HOUR).energy()).isCloseTo(400.0, within(1e-6));
        assertThat(hourAt(REGISTER, DAY0 + HOUR).isEstimated()).isFalse();
    }

    @Test
    void onTheDayClocksGoBack_aDayOfTwentyFiveHoursGetsTwentyFiveHoursOfConsumption() {
        // GIVEN a Berlin register read at local midnight on 26, 27 and 28 October 2025 (the 26th has 25 hours)
        long oct26 = java.time.LocalDate.of(2025, 10, 26)
                .atStartOfDay(BERLIN)
                .toInstant()
                .toEpochMilli();
        long oct27 = oct26 + 25 * HOUR;
        long oct28 = oct27 + 24 * HOUR;
        fresh(
                read(BERLIN_REGISTER, oct26, 10_000),
                read(BERLIN_REGISTER, oct27, 12_500),
                read(BERLIN_REGISTER, oct28, 14_900));

        // THEN the 26th (local) consumed its 2,500 Wh, 100 Wh in each of its 25 hours, and the 27th 2,400 Wh
        assertThat(dayAt(BERLIN_REGISTER, oct26).energy()).isCloseTo(2_500.0, within(1e-6));
        assertThat(dayAt(BERLIN_REGISTER, oct27).energy()).isCloseTo(2_400.0, within(1e-6));
        assertThat(hourAt(BERLIN_REGISTER, oct26 + 24 * HOUR).energy()).isCloseTo(100.0, within(EPS));
    }
}
