package io.meterbase.core.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meterbase.core.energy.ChannelInfo;
import io.meterbase.core.energy.EnergyRules;
import io.meterbase.core.energy.RollupTracker;
import io.meterbase.core.model.Accumulation;
import io.meterbase.core.model.Channel;
import io.meterbase.core.model.Quantity;
import io.meterbase.core.model.Reading;
import io.meterbase.core.store.StoreException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The durable writer over a store that fails, lands data and fails, is slow or hangs. */
class DurableWriterTest {

    private static final long HOUR = 3_600_000L;
    private static final long T0 = 1_764_000_000_000L / HOUR * HOUR;

    private final MemoryReadingStore store = new MemoryReadingStore();
    /** The writer's clock: a slow store's commits, and the waits of a test, move it ahead instead of sleeping. */
    private final SkewedTicker ticker = new SkewedTicker();

    private DurableWriter writer;

    DurableWriterTest() {
        store.passTimeOn(ticker);
    }

    private DurableWriter start(Duration answerWithin, Duration drain) {
        ChannelInfo info = new ChannelInfo() {
            @Override
            public Optional<Channel> channel(int id) {
                return Optional.of(new Channel(id, 1, "power", Quantity.ACTIVE_POWER, Accumulation.INSTANT));
            }

            @Override
            public ZoneId zone(int id) {
                return ZoneOffset.UTC;
            }
        };
        writer = new DurableWriter(
                        store,
                        new RollupTracker(store, info, new EnergyRules(15 * 60_000)),
                        r -> {},
                        IngestMetrics.NONE,
                        new DurableWriter.Settings(1_000_000, 200_000, Duration.ofMillis(20), answerWithin, drain),
                        Clock.systemUTC(),
                        ticker)
                .start();
        return writer;
    }

    private DurableWriter start() {
        return start(Duration.ofSeconds(2), Duration.ofSeconds(5));
    }

    @AfterEach
    void stop() {
        store.release();
        if (writer != null) {
            writer.close();
        }
    }

    private static List<Reading> readings(int channel, long first, int count) {
        List<Reading> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(new Reading(channel, first + i * 1000L, i));
        }
        return out;
    }

    private static Throwable failure(CompletableFuture<?> f) {
        try {
            f.get(10, TimeUnit.SECONDS);
            throw new AssertionError("the submission was acknowledged");
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError("no answer within 10 s", e);
        }
    }

    @Test
    void failedCommit_failsTheSubmission_andTheNextOneIsStored() throws Exception {
        // GIVEN a store that refuses the next commit
        start();
        store.fault(MemoryReadingStore.Fault.FAIL);

        // WHEN readings are submitted
        CompletableFuture<WriteOutcome> refused = writer.submit(readings(1, T0, 10), List.of());

        // THEN nothing is acknowledged, the writer reports the failure, and recovers with the store
        assertThat(failure(refused)).isInstanceOf(StoreException.class);
        assertThat(writer.status().failing()).isTrue();
        assertThat(writer.status().lastError()).contains("disk full");
        store.fault(MemoryReadingStore.Fault.NONE);
        assertThat(writer.submit(readings(1, T0, 10), List.of()).get(10, TimeUnit.SECONDS))
                .isEqualTo(new WriteOutcome(10, 0));
        assertThat(writer.status().failing()).isFalse();
        assertThat(store.count()).isEqualTo(10);
    }

    @Test
    void commitThatLandedButFailed_resendIsStoredOnce_andItsRollupCountsIt() throws Exception {
        // GIVEN a commit that keeps its data and then reports a failure
        start();
        store.fault(MemoryReadingStore.Fault.FAIL_AFTER_LANDING);
        assertThat(failure(writer.submit(readings(1, T0, 30), List.of()))).isInstanceOf(StoreException.class);
        store.fault(MemoryReadingStore.Fault.NONE);

        // WHEN the sender sends the same readings again
        WriteOutcome again = writer.submit(readings(1, T0, 30), List.of()).get(10, TimeUnit.SECONDS);

        // THEN they are recognised as stored, nothing is stored twice, and the hour's rollup counts all 30
        assertThat(again).isEqualTo(new WriteOutcome(0, 30));
        assertThat(store.doubles()).isZero();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (store.hour(1, T0).map(r -> r.count()).orElse(0L) != 30 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(store.hour(1, T0))
                .hasValueSatisfying(r -> assertThat(r.count()).isEqualTo(30));
    }

    @Test
    void commitThatLeftAPart_resendStoresTheRestOnce_andTheRollupCountsAll() throws Exception {
        // GIVEN a commit that keeps the first half of its readings and then fails
        start();
        store.fault(MemoryReadingStore.Fault.FAIL_AFTER_HALF);
        assertThat(failure(writer.submit(readings(1, T0, 40), List.of()))).isInstanceOf(StoreException.class);
        store.fault(MemoryReadingStore.Fault.NONE);

        // WHEN the sender sends the same readings again
        WriteOutcome again = writer.submit(readings(1, T0, 40), List.of()).get(10, TimeUnit.SECONDS);

        // THEN the missing half is stored, the kept half counted as duplicates, none twice, and the hour counts 40
        assertThat(again).isEqualTo(new WriteOutcome(20, 20));
        assertThat(store.count()).isEqualTo(40);
        assertThat(store.doubles()).isZero();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (store.hour(1, T0).map(r -> r.count()).orElse(0L) != 40 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(store.hour(1, T0))
                .hasValueSatisfying(r -> assertThat(r.count()).isEqualTo(40));
    }

    @Test
    void failedLookupOfLateReadings_failsTheSubmission_insteadOfLeavingItUnanswered() {
        // GIVEN a stored reading, and a store whose duplicate lookup fails
        start();
        writer.submit(readings(1, T0 + 100_000, 1), List.of()).join();
        store.failExisting(true);

        // WHEN an older (late) reading comes
        CompletableFuture<WriteOutcome> late = writer.submit(readings(1, T0, 1), List.of());

        // THEN its sender is answered with the failure
        assertThat(failure(late)).isInstanceOf(StoreException.class);
        assertThat(store.has(1, T0)).isFalse();
    }

    @Test
    void queueSlowerThanTheAnswerTime_refusesAtOnce_withARetryTime() throws Exception {
        // GIVEN a store that takes 300 ms a commit of 10,000 readings, its rate measured, and a commit in progress
        start(Duration.ofMillis(400), Duration.ofSeconds(5));
        store.appendDelay(300);
        for (int i = 0; i < 3; i++) {
            writer.submit(readings(1, T0 + i * 100_000_000L, 10_000), List.of()).get(10, TimeUnit.SECONDS);
        }
        store.hold();
        CompletableFuture<WriteOutcome> inProgress = writer.submit(readings(2, T0, 10_000), List.of());
        store.awaitHeld();

        // WHEN more readings come than it can store before they must be answered
        long before = System.nanoTime();
        assertThatThrownBy(() -> writer.submit(readings(3, T0, 10_000), List.of()))
                // THEN they are refused at once, with a time to retry
                .isInstanceOfSatisfying(OverloadedException.class, e -> {
                    assertThat(e.retryAfterSeconds()).isPositive();
                    assertThat(e.getMessage()).contains("busy");
                });
        assertThat(System.nanoTime() - before).isLessThan(TimeUnit.MILLISECONDS.toNanos(100));
        store.release();
        assertThat(inProgress.get(10, TimeUnit.SECONDS).stored()).isEqualTo(10_000);
    }

    @Test
    void submissionNotTakenInTime_isRefused_andNeverStored() throws Exception {
        // GIVEN a commit that hangs
        start(Duration.ofMillis(300), Duration.ofSeconds(5));
        store.hold();
        CompletableFuture<WriteOutcome> first = writer.submit(readings(1, T0, 1), List.of());
        store.awaitHeld();
        CompletableFuture<WriteOutcome> second = writer.submit(readings(2, T0, 1), List.of());

        // WHEN the second waits longer than its answer time
        ticker.advance(Duration.ofMillis(600));
        store.release();

        // THEN it is refused and not stored, while the first is stored
        assertThat(failure(second)).isInstanceOf(OverloadedException.class).hasMessageContaining("not stored");
        assertThat(first.get(10, TimeUnit.SECONDS).stored()).isEqualTo(1);
        Thread.sleep(100);
        assertThat(store.has(2, T0)).isFalse();
    }

    /**
     * A store that takes 100 µs a reading, measured by the writer over three commits of 10,000 readings, with
     * answers due within {@code answerWithin} (so admission takes up to three tenths of it of queue); then a commit
     * of one reading that hangs.
     */
    private void slowStoreMeasured_thenAHangingCommit(Duration answerWithin) throws Exception {
        start(answerWithin, Duration.ofSeconds(5));
        store.appendDelayPerReading(100);
        for (int i = 0; i < 3; i++) {
            writer.submit(readings(100 + i, T0, 10_000), List.of()).get(10, TimeUnit.SECONDS);
        }
        store.takeAppendLog();
        store.hold();
        writer.submit(readings(1, T0, 1), List.of());
        store.awaitHeld();
    }

    /** Submits readings and records how long their answer took, in milliseconds, in {@code took}. */
    private CompletableFuture<WriteOutcome> timed(List<Reading> readings, AtomicLong took) {
        long from = ticker.getAsLong();
        return writer.submit(readings, List.of())
                .whenComplete((o, e) -> took.set((ticker.getAsLong() - from) / 1_000_000));
    }

    @Test
    void commitThatWouldBeLateForItsFirstSubmission_takesNoMore_andRefusesWhatCannotBeInTimeNext() throws Exception {
        // GIVEN two uploads of 20,000 readings (2 s of commit each) queued behind a commit that hangs until the
        // first has 3 s of its 9 s left: both in one commit (4 s) would answer the first late, and the second
        // would end after its deadline in the next commit too
        slowStoreMeasured_thenAHangingCommit(Duration.ofSeconds(9));
        AtomicLong firstTook = new AtomicLong();
        CompletableFuture<WriteOutcome> first = timed(readings(2, T0, 20_000), firstTook);
        CompletableFuture<WriteOutcome> second = writer.submit(readings(3, T0, 20_000), List.of());

        // WHEN the store goes on
        ticker.advance(Duration.ofSeconds(6));
        store.release();

        // THEN the first is a commit of its own, stored in time; the second is refused at once and not stored
        assertThat(first.get(10, TimeUnit.SECONDS).stored()).isEqualTo(20_000);
        assertThat(failure(second)).isInstanceOf(OverloadedException.class).hasMessageContaining("not stored");
        assertThat(store.takeAppendLog()).containsExactly(Set.of(1), Set.of(2));
        assertThat(firstTook.get()).isLessThan(9_000);
        assertThat(store.has(3, T0)).isFalse();
    }

    @Test
    void uploadTooLargeToBeInTimeBehindOthers_isCarriedToTheNextCommit_notRefused() throws Exception {
        // GIVEN an upload of 20,000 readings (2 s of commit), and behind it one of 70,000 (7 s: more than the
        // seven tenths of 9 s that admission leaves an upload), queued behind a commit that hangs until the first
        // has 3 s left
        slowStoreMeasured_thenAHangingCommit(Duration.ofSeconds(9));
        CompletableFuture<WriteOutcome> first = writer.submit(readings(2, T0, 20_000), List.of());
        CompletableFuture<WriteOutcome> large = writer.submit(readings(3, T0, 70_000), List.of());

        // WHEN the store goes on
        ticker.advance(Duration.ofSeconds(6));
        store.release();

        // THEN the first is a commit of its own, and the large one, which could be in time behind nothing, is the
        // next commit: stored (answered late), not refused at every retry
        assertThat(first.get(10, TimeUnit.SECONDS).stored()).isEqualTo(20_000);
        assertThat(large.get(15, TimeUnit.SECONDS).stored()).isEqualTo(70_000);
        assertThat(store.takeAppendLog()).containsExactly(Set.of(1), Set.of(2), Set.of(3));
    }

    @Test
    void submissionThatWouldMakeACommitLate_waitsForTheNextCommit_andAllAreAnsweredInTime() throws Exception {
        // GIVEN an upload of 20,000 readings (2 s of commit), then 3 s later two more of 5,000 and 30,000 (0.5 and
        // 3 s), queued behind a commit that hangs until the first has 4 s of its 10 s left
        slowStoreMeasured_thenAHangingCommit(Duration.ofSeconds(10));
        AtomicLong[] took = {new AtomicLong(), new AtomicLong(), new AtomicLong()};
        List<CompletableFuture<WriteOutcome>> all = new ArrayList<>();
        all.add(timed(readings(2, T0, 20_000), took[0]));
        ticker.advance(Duration.ofSeconds(3));
        all.add(timed(readings(3, T0, 5_000), took[1]));
        all.add(timed(readings(4, T0, 30_000), took[2]));

        // WHEN the store goes on
        ticker.advance(Duration.ofSeconds(3));
        store.release();

        // THEN the first two are one commit (2.5 s) and the third the next one (3 s): each is stored and answered
        // within 10 s of its submission (all three in one commit of 5.5 s would answer the first after 11.5 s)
        int[] sizes = {20_000, 5_000, 30_000};
        for (int i = 0; i < 3; i++) {
            assertThat(all.get(i).get(15, TimeUnit.SECONDS).stored()).isEqualTo(sizes[i]);
        }
        assertThat(store.takeAppendLog()).containsExactly(Set.of(1), Set.of(2, 3), Set.of(4));
        for (int i = 0; i < 3; i++) {
            assertThat(took[i].get()).as("answer time of upload %d", i + 1).isLessThan(10_000);
        }
    }

    @Test
    void close_writesWhatIsQueued() throws Exception {
        // GIVEN a slow store and ten queued submissions
        start(Duration.ofSeconds(5), Duration.ofSeconds(10));
        store.appendDelay(30);
        List<CompletableFuture<WriteOutcome>> all = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            all.add(writer.submit(readings(1 + i, T0, 100), List.of()));
        }

        // WHEN the writer is closed
        writer.close();

        // THEN every one is stored and acknowledged, and no more are taken
        for (CompletableFuture<WriteOutcome> f : all) {
            assertThat(f.get(1, TimeUnit.SECONDS).stored()).isEqualTo(100);
        }
        assertThat(store.count()).isEqualTo(1000);
        assertThatThrownBy(() -> writer.submit(readings(20, T0, 1), List.of()))
                .isInstanceOf(OverloadedException.class)
                .hasMessageContaining("shutting down");
    }

    @Test
    void close_withAHangingStore_returnsWithinItsBound_andRefusesWhatWasQueued() throws Exception {
        // GIVEN a commit that never ends and a submission behind it
        start(Duration.ofMillis(500), Duration.ofMillis(300));
        store.hold();
        writer.submit(readings(1, T0, 1), List.of());
        store.awaitHeld();
        CompletableFuture<WriteOutcome> queued = writer.submit(readings(2, T0, 1), List.of());

        // WHEN the writer is closed
        long before = System.nanoTime();
        writer.close();

        // THEN it returns within its drain time (plus the answer time of the commit in progress)
        assertThat(System.nanoTime() - before).isLessThan(TimeUnit.MILLISECONDS.toNanos(2_000));
        assertThat(failure(queued)).isInstanceOf(OverloadedException.class).hasMessageContaining("send them again");
    }
}
