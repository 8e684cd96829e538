package io.meterbase.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterbase.core.model.Reading;
import io.meterbase.core.store.RetentionJob;
import io.meterbase.core.store.Rollup;
import io.meterbase.core.store.WriteBatch;
import io.meterbase.store.duckdb.DuckDbOptions;
import io.meterbase.store.duckdb.DuckDbStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetentionTest {

    @TempDir
    Path dir;

    @Test
    void expiredMonths_areDroppedWhole_andRollupsKept() {
        try (DuckDbStore store = DuckDbStore.open(new DuckDbOptions(dir, "256MB", 1, 2))) {
            long aug = Instant.parse("2026-08-15T00:00:00Z").toEpochMilli();
            long sep = Instant.parse("2026-09-30T23:00:00Z").toEpochMilli();
            long oct = Instant.parse("2026-10-02T00:00:00Z").toEpochMilli();
            store.append(new WriteBatch(
                    List.of(new Reading(1, aug, 1), new Reading(1, sep, 2), new Reading(1, oct, 3)),
                    List.of(),
                    List.of()));
            store.upsertHourly(List.of(new Rollup(1, aug, 1, 1, 1, 1, 0)));
            // now 2026-11-20 with 50 days of retention: cutoff 2026-10-01, so August and September go
            Clock clock = Clock.fixed(Instant.parse("2026-11-20T00:00:00Z"), ZoneOffset.UTC);

            List<YearMonth> dropped = new RetentionJob(store, clock, Duration.ofDays(50)).dropExpired();

            assertThat(dropped).containsExactly(YearMonth.of(2026, 8), YearMonth.of(2026, 9));
            assertThat(store.months()).containsExactly(YearMonth.of(2026, 10));
            assertThat(store.readings(1, aug, oct + 1, 10))
                    .extracting(Reading::value)
                    .containsExactly(3.0);
            assertThat(store.hourly(List.of(1), aug, aug + 1)).hasSize(1);
        }
    }
}
