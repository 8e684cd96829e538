package io.meterbase.core.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterbase.core.store.QuarantineEntry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The quarantine quota: the first refusals of a window kept in full, the rest counted into one summary. */
class QuarantineQuotaTest {

    /** A clock the test moves. */
    private static final class Manual extends Clock {
        long millis = Instant.parse("2026-11-21T10:00:00Z").toEpochMilli();

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }
    }

    private final Manual clock = new Manual();
    private final QuarantineQuota quota = new QuarantineQuota(3, Duration.ofHours(1), clock);
    private final Origin attacker = Origin.anonymous("http", "203.0.113.9", "POST /api/v1/upload");

    @Test
    void firstRefusalsAreKept_theRestCounted_andSummarisedWhenTheWindowCloses() {
        // GIVEN ten refusals of one address and reason within an hour
        int kept = 0;
        for (int i = 0; i < 10; i++) {
            kept += quota.admit(attacker, "unauthorized") ? 1 : 0;
        }

        // THEN three are kept in full and seven counted
        assertThat(kept).isEqualTo(3);
        assertThat(quota.countedOnly()).isEqualTo(7);
        assertThat(quota.closedWindows()).as("the window is still open").isEmpty();

        // WHEN the hour ends
        clock.millis += Duration.ofHours(1).toMillis();
        List<QuarantineEntry> summaries = quota.closedWindows();

        // THEN one summary entry records the seven, and the next window keeps three again
        assertThat(summaries).singleElement().satisfies(e -> {
            assertThat(e.source()).isEqualTo("http 203.0.113.9");
            assertThat(e.reason()).isEqualTo("unauthorized");
            assertThat(e.detail()).startsWith("7 more refused");
        });
        assertThat(quota.admit(attacker, "unauthorized")).isTrue();
    }

    @Test
    void quotasAreKeptPerSourceAndReason() {
        Origin customer = Origin.local(5, "gw");
        for (int i = 0; i < 3; i++) {
            assertThat(quota.admit(attacker, "unauthorized")).isTrue();
        }

        assertThat(quota.admit(attacker, "unauthorized")).isFalse();
        assertThat(quota.admit(attacker, "payload_too_large")).isTrue();
        assertThat(quota.admit(customer, "unauthorized")).isTrue();
    }
}
