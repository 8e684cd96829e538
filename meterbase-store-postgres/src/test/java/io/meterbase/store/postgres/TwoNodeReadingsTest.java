package io.meterbase.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.meterbase.core.energy.ChannelInfo;
import io.meterbase.core.energy.EnergyRules;
import io.meterbase.core.energy.RollupTracker;
import io.meterbase.core.ingest.DurableWriter;
import io.meterbase.core.ingest.IngestMetrics;
import io.meterbase.core.ingest.WriteOutcome;
import io.meterbase.core.model.Accumulation;
import io.meterbase.core.model.Channel;
import io.meterbase.core.model.Quantity;
import io.meterbase.core.model.Reading;
import io.meterbase.core.store.ReadingStore;
import io.meterbase.core.store.Rollup;
import io.meterbase.core.store.memory.MemoryStore;
import io.meterbase.store.contract.PgCluster;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Two Meterbase nodes write readings to one PostgreSQL database, as two processes behind a load balancer or on one
 * shared MQTT subscription would: a reading re-sent to the other node is stored once, and the rollups of a channel
 * whose readings alternate between the nodes are those one node would have computed from all of them (before, each
 * node kept its own newest timestamps and running totals: the resent reading was stored twice, and each node's
 * rollup replaced the other's).
 */
class TwoNodeReadingsTest {

    private static final long HOUR = 3_600_000L;
    private static final long T0 = 1_764_000_000_000L / HOUR * HOUR;

    /** Every channel is a power channel of a site in UTC. */
    private static final ChannelInfo INFO = new ChannelInfo() {
        @Override
        public Optional<Channel> channel(int id) {
            return Optional.of(new Channel(id, 1, "power", Quantity.ACTIVE_POWER, Accumulation.INSTANT));
        }

        @Override
        public ZoneId zone(int id) {
            return ZoneOffset.UTC;
        }
    };

    @Test
    void aReadingResentToTheOtherNode_isStoredOnce_andCountsThereAsResent() throws Exception {
        try (PgCluster cluster = PgCluster.start();
                PostgresStore one = node(cluster, true);
                PostgresStore two = node(cluster, false);
                DurableWriter a = writer(one);
                DurableWriter b = writer(two)) {
            // GIVEN 100 readings of a channel stored through node 1
            List<Reading> sent = power(1, T0, 100, 10_000);
            assertThat(send(a, sent)).isEqualTo(new WriteOutcome(100, 0));

            // WHEN the gateway sends them again, and the load balancer picks node 2 (which has not seen them)
            WriteOutcome again = send(b, sent);

            // THEN node 2 stores none of them and answers that all were re-sent
            assertThat(again).isEqualTo(new WriteOutcome(0, 100));
            assertThat(count(cluster, "SELECT count(*) FROM readings")).isEqualTo(100);

            // AND a batch of new and re-sent readings stores the new ones only
            List<Reading> mixed = new ArrayList<>(sent.subList(90, 100));
            mixed.addAll(power(1, T0 + 100 * 10_000L, 10, 10_000));
            assertThat(send(b, mixed)).isEqualTo(new WriteOutcome(10, 10));
            assertThat(count(cluster, "SELECT count(*) FROM readings")).isEqualTo(110);
            assertThat(count(cluster, "SELECT count(DISTINCT (channel_id, ts)) FROM readings"))
                    .isEqualTo(110);

            // AND node 1 reads node 2's newest reading as the channel's live value
            assertThat(one.readings().newestReadingsSince(T0 + 105 * 10_000L))
                    .containsExactly(mixed.get(mixed.size() - 1));
            assertThat(one.readings().newestReadingsSince(T0 + 200 * 10_000L)).isEmpty();
        }
    }

    @Test
    void aChannelWhoseReadingsAlternateBetweenTwoNodes_getsTheRollupsOfAllItsReadings() throws Exception {
        List<Reading> sent = power(2, T0 + 20 * 60_000L, 1_000, 10_000); // 2 h 46 min over four hours
        List<Rollup> expected = singleNodeRollups(sent);

        try (PgCluster cluster = PgCluster.start();
                PostgresStore one = node(cluster, true);
                PostgresStore two = node(cluster, false)) {
            // GIVEN two nodes writing to one database
            try (DurableWriter a = writer(one);
                    DurableWriter b = writer(two)) {
                // WHEN a meter's readings reach them in turn, every seventh sent to both (a retry after a timeout)
                int acknowledged = 0;
                for (int i = 0; i < sent.size(); i += 5) {
                    List<Reading> upload = sent.subList(i, i + 5);
                    DurableWriter to = (i / 5) % 2 == 0 ? a : b;
                    acknowledged += send(to, upload).stored();
                    if ((i / 5) % 7 == 0) {
                        acknowledged += send(to == a ? b : a, upload).stored();
                    }
                }
                assertThat(acknowledged).isEqualTo(sent.size());
            } // both nodes stop, writing what their rollups hold

            // THEN every reading is stored once
            assertThat(count(cluster, "SELECT count(*) FROM readings")).isEqualTo(sent.size());
            // AND the hourly rollups are those of one node that received them all
            List<Rollup> stored = one.readings().hourly(List.of(2), T0, T0 + 10 * HOUR);
            assertThat(stored).hasSameSizeAs(expected);
            for (int h = 0; h < expected.size(); h++) {
                Rollup want = expected.get(h);
                Rollup got = stored.get(h);
                assertThat(got.start()).isEqualTo(want.start());
                assertThat(got.count()).as("readings in hour %d", h).isEqualTo(want.count());
                assertThat(got.sum()).as("sum of hour %d", h).isCloseTo(want.sum(), within(1e-6));
                assertThat(got.min()).isEqualTo(want.min());
                assertThat(got.max()).isEqualTo(want.max());
                assertThat(got.energy()).as("energy of hour %d", h).isCloseTo(want.energy(), within(1e-6));
            }
            // AND the days are the sums of their hours
            List<Rollup> days = one.readings().daily(List.of(2), T0 - 24 * HOUR, T0 + 24 * HOUR);
            assertThat(days.stream().mapToLong(Rollup::count).sum()).isEqualTo(sent.size());
            assertThat(days.stream().mapToDouble(Rollup::energy).sum())
                    .isCloseTo(expected.stream().mapToDouble(Rollup::energy).sum(), within(1e-6));
        }
    }

    /** The hourly rollups one node computes when it receives all the readings. */
    private static List<Rollup> singleNodeRollups(List<Reading> readings) throws Exception {
        ReadingStore memory = MemoryStore.open().readings();
        try (DurableWriter only = writer(memory)) {
            for (int i = 0; i < readings.size(); i += 5) {
                send(only, readings.subList(i, i + 5));
            }
        }
        return memory.hourly(List.of(readings.get(0).channelId()), T0, T0 + 10 * HOUR);
    }

    private static List<Reading> power(int channel, long first, int count, long step) {
        List<Reading> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(new Reading(channel, first + i * step, 300 + (i * 37) % 500));
        }
        return out;
    }

    private static WriteOutcome send(DurableWriter writer, List<Reading> readings) throws Exception {
        return writer.submit(readings, List.of()).get(30, TimeUnit.SECONDS);
    }

    private static DurableWriter writer(ReadingStore store) {
        return new DurableWriter(
                        store,
                        new RollupTracker(store, INFO, new EnergyRules(15 * 60_000)),
                        r -> {},
                        IngestMetrics.NONE,
                        new DurableWriter.Settings(
                                1_000_000,
                                200_000,
                                Duration.ofMillis(20),
                                Duration.ofSeconds(10),
                                Duration.ofSeconds(10)),
                        Clock.systemUTC())
                .start();
    }

    private static DurableWriter writer(PostgresStore store) {
        return writer(store.readings());
    }

    private static long count(PgCluster cluster, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(cluster.url("meterbase"), PgCluster.USER, PgCluster.PASSWORD);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** One node's store on the cluster's database (the first to start migrates it). */
    private static PostgresStore node(PgCluster cluster, boolean migrate) {
        return PostgresStore.open(
                new PostgresOptions(cluster.url("meterbase"), PgCluster.USER, PgCluster.PASSWORD, 4, migrate));
    }
}
