package io.meterbase.store.duckdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterbase.core.model.Reading;
import io.meterbase.core.store.QuarantineEntry;
import io.meterbase.core.store.StoreException;
import io.meterbase.core.store.WriteBatch;
import io.meterbase.store.contract.SmallDisk;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The embedded store on a small disk that another program fills while batches are written, then frees: every batch
 * it reported written is there after a reopen, every refused batch with a rejected input (one transaction) is there
 * whole or not at all (a refused batch of readings only may have left its first chunks, never acknowledged), and
 * writing
 * resumes once space is back (DuckDB invalidates the database when a checkpoint fails; the store attaches it
 * again).
 */
class DuckDbDiskFullTest {

    private static final long T0 = Instant.parse("2026-10-05T00:00:00Z").toEpochMilli();

    @TempDir
    Path tmp;

    /** One batch: readings of channel {@code channel} at consecutive seconds from {@code first}. */
    private record Batch(int channel, long first, int count, boolean withQuarantine) {
        WriteBatch toWrite() {
            List<Reading> readings = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                readings.add(new Reading(channel, first + i * 1000L, i));
            }
            List<QuarantineEntry> rejected = withQuarantine
                    ? List.of(new QuarantineEntry(Instant.ofEpochMilli(first), "test", 1, "out_of_range", "x", "{}"))
                    : List.of();
            return new WriteBatch(readings, rejected, List.of());
        }
    }

    @ParameterizedTest(name = "bytes left free by the filler: {0}")
    @ValueSource(longs = {0, 300_000})
    void diskFilledDuringWrites_keepsEveryWrittenBatch_andResumesWhenFreed(long leave) throws Exception {
        try (SmallDisk disk = SmallDisk.mount(tmp.resolve("disk"), 48)) {
            DuckDbOptions options = new DuckDbOptions(disk.path().resolve("data"), "256MB", 1, 2, "4MB");
            Random random = new Random(leave);
            List<Batch> written = new ArrayList<>();
            List<Batch> refused = new ArrayList<>();
            int refusedWhileFull = 0;
            int writtenAfterFree = 0;
            long next = T0;
            try (DuckDbStore store = DuckDbStore.open(options)) {
                for (int i = 0; i < 240; i++) {
                    if (i == 60) {
                        disk.fill(leave);
                    }
                    if (i == 160) {
                        disk.release();
                        Thread.sleep(1100); // an invalidated database is attached again at most once a second
                    }
                    int[] sizes = {300, 2048, 5_000, 30_000};
                    Batch b = new Batch(1 + i % 20, next, sizes[random.nextInt(sizes.length)], random.nextInt(4) == 0);
                    next += 40_000_000L; // each batch its own time range, all in October
                    try {
                        store.append(b.toWrite());
                        written.add(b);
                        writtenAfterFree += i >= 160 ? 1 : 0;
                    } catch (StoreException e) {
                        refused.add(b);
                        refusedWhileFull += i >= 60 && i < 160 ? 1 : 0;
                    }
                }
            }
            System.err.printf(
                    "disk full (%d B left): %d batches written, %d refused (%d while full)%n",
                    leave, written.size(), refused.size(), refusedWhileFull);
            assertThat(refusedWhileFull)
                    .as("writes refused while the disk was full")
                    .isPositive();
            assertThat(writtenAfterFree).as("writes after the space came back").isEqualTo(80);

            try (DuckDbStore store = DuckDbStore.open(options)) {
                long missing = 0;
                for (Batch b : written) {
                    missing += b.count() - stored(store, b);
                }
                assertThat(missing).as("readings of written batches missing").isZero();
                long partial = 0;
                for (Batch b : refused) {
                    long kept = stored(store, b);
                    if (b.withQuarantine()) {
                        assertThat(kept)
                                .as("a refused batch with a rejected input is kept whole or not at all")
                                .isIn(0L, (long) b.count());
                    }
                    partial += kept > 0 && kept < b.count() ? 1 : 0;
                }
                System.err.printf("refused batches of readings only that left a part: %d%n", partial);
                long quarantined =
                        written.stream().filter(Batch::withQuarantine).count();
                assertThat((long) store.quarantined(null, 10_000).size()).isGreaterThanOrEqualTo(quarantined);
            }
        }
    }

    private static long stored(DuckDbStore store, Batch b) {
        List<Reading> found = store.readings(b.channel(), b.first(), b.first() + b.count() * 1000L, b.count() + 1);
        return found.size();
    }
}
