package io.meterbase.core.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class RateLimiterTest {

    /** A clock the test moves. */
    private static final class Manual extends Clock {
        long millis;

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

    @Test
    void bucket_allowsBurstThenRate_andCountsRefusalsPerSender() {
        Manual clock = new Manual();
        RateLimiter limiter = new RateLimiter(10, 50, clock);

        limiter.acquire("1/gw", 50);
        assertThatThrownBy(() -> limiter.acquire("1/gw", 1))
                .isInstanceOf(RateLimitedException.class)
                .hasMessageContaining("exceeds 10 readings/s");
        limiter.acquire("1/other", 50); // each sender has its own allowance
        clock.millis += 1000;
        limiter.acquire("1/gw", 10); // one second later: ten more
        assertThatThrownBy(() -> limiter.acquire("1/gw", 5))
                .isInstanceOfSatisfying(RateLimitedException.class, e -> assertThat(e.retryAfterSeconds())
                        .isEqualTo(1));

        assertThat(limiter.refusedCounts()).containsEntry("1/gw", 2L).doesNotContainKey("1/other");
    }

    @Test
    void uploadLargerThanBurst_passesWhenTheBucketIsFull_andLeavesItInDebt() {
        Manual clock = new Manual();
        RateLimiter limiter = new RateLimiter(10, 50, clock);

        limiter.acquire("1/gw", 120); // a backfill larger than the burst: taken, 70 in debt
        assertThatThrownBy(() -> limiter.acquire("1/gw", 1))
                .isInstanceOfSatisfying(RateLimitedException.class, e -> assertThat(e.retryAfterSeconds())
                        .isEqualTo(8));
        clock.millis += 8_000;
        limiter.acquire("1/gw", 1); // the debt is paid: the average rate holds
    }

    @Test
    void spentHere_isHandedOutOnce_andSpentElsewhere_isTakenHere() {
        Manual clock = new Manual();
        RateLimiter limiter = new RateLimiter(10, 50, clock);

        // what a key spent here is told once, refunds deducted
        limiter.acquire("key a", 30);
        limiter.refund("key a", 5);
        assertThat(limiter.drainSpent()).containsExactly(java.util.Map.entry("key a", 25.0));
        assertThat(limiter.drainSpent()).isEmpty();

        // what another node spent of a key not seen here yet leaves it 10 here
        limiter.debit("key b", 40);
        assertThatThrownBy(() -> limiter.acquire("key b", 11)).isInstanceOf(RateLimitedException.class);
        limiter.acquire("key b", 10);
        assertThat(limiter.allows("key b", 1)).isFalse();

        // a node that spent far more elsewhere leaves the key at most one burst in debt here
        limiter.debit("key c", 1_000);
        clock.millis += 5_000;
        assertThat(limiter.allows("key c", 1)).isFalse();
        clock.millis += 5_000;
        assertThat(limiter.allows("key c", 1)).isTrue();
    }

    @Test
    void zeroRate_isOff() {
        RateLimiter limiter = new RateLimiter(0, 0, Clock.systemUTC());

        limiter.acquire("1/gw", 1_000_000);
        assertThat(limiter.enabled()).isFalse();
    }
}
