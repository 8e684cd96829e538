package io.meterbase.app;

import static io.meterbase.app.PipelineFixture.NOW;
import static io.meterbase.app.PipelineFixture.await;
import static io.meterbase.app.PipelineFixture.power;
import static io.meterbase.app.PipelineFixture.register;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.meterbase.core.ingest.IngestReport;
import io.meterbase.core.ingest.NodeReport;
import io.meterbase.core.ingest.Origin;
import io.meterbase.core.ingest.OverloadedException;
import io.meterbase.core.ingest.RawReading;
import io.meterbase.core.ingest.RejectReason;
import io.meterbase.core.ingest.Rejection;
import io.meterbase.core.ingest.Upload;
import io.meterbase.core.store.QuarantineEntry;
import io.meterbase.core.store.Rollup;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IngestPipelineTest {

    private static final long T = NOW.toEpochMilli() - 2 * 3_600_000L; // 10:00 UTC
    private static final long HOUR = 3_600_000L;

    @TempDir
    Path dir;

    @Test
    void upload_isStoredConvertedAndVisibleLive() throws Exception {
        try (PipelineFixture f = new PipelineFixture(dir, PipelineFixture.settings())) {
            IngestReport report =
                    f.send("plug-1", power(T, 100), new RawReading(null, "active_power", "kW", 0.25, T + 1000, null));

            assertThat(report.accepted()).isEqualTo(2);
            assertThat(report.rejections()).isEmpty();
            int ch = f.channel("plug-1", "active_power");
            assertThat(f.store.readings(ch, T, T + 2000, 10))
                    .extracting(r -> r.value())
                    .containsExactly(100.0, 250.0);
            assertThat(f.live.latest(ch).orElseThrow().value()).isEqualTo(250.0);
        }
    }

    @Test
    void resentUpload_isStoredOnceAndAcknowledgedAgain() throws Exception {
        try (PipelineFixture f = new PipelineFixture(dir, PipelineFixture.settings())) {
            RawReading[] readings = {power(T, 1), power(T + 1000, 2), power(T + 2000, 3)};
            f.send("plug-1", readings);

            IngestReport again = f.send("plug-1", readings);
            IngestReport within = f.send("plug-1", power(T + 3000, 4), power(T + 3000, 4), power(T + 1000, 2));

            assertThat(again.accepted()).isEqualTo(3);
            assertThat(again.duplicates()).isEqualTo(3);
            assertThat(within.accepted()).isEqualTo(3);
            assertThat(within.duplicates()).isEqualTo(2);
            assertThat(f.store.stats().readings()).isEqualTo(4);
        }
    }

    @Test
    void resentUpload_afterRestart_isStillStoredOnce() throws Exception {
        RawReading[] readings = {power(T, 1), power(T + 1000, 2)};
        try (PipelineFixture f = new PipelineFixture(dir, PipelineFixture.settings())) {
            f.send("plug-1", readings);
        }
        try (PipelineFixture f = new PipelineFixture(dir, PipelineFixture.settings())) {
            IngestReport again = f.send("plug-1", readings);

            assertThat(again.duplicates()).isEqualTo(2);
            assertThat(f.store.stats().readings()).isEqualTo(2);
        }
    }

    @Test
    void rollups_followDataAndAreCorrectedByLateData() throws Exception {
        try (PipelineFixture f = new PipelineFixture(dir, PipelineFixture.settings())) {
            // 1000 W for 10:00-10:30 in one-minute steps, sent in order
            List<RawReading> first = new ArrayList<>();
            for (int m = 0; m <= 30; m++) {
                first.add(power(T + m * 60_000L, 1000));
            }
            f.send("plug-1", first.toArray(RawReading[]::new));
            int ch = f.channel("plug-1", "active_power");
            await(() -> hourly(f, ch, T).count() == 31);
            assertThat(hourly(f, ch, T).energy()).isEqualTo(500, within(1e-6));

            // a late reading at 10:15:30 of 3000 W: the hour is recomputed from stored readings
            f.send("plug-1", power(T + 15 * 60_000L + 30_000, 3000));

            await(() -> hourly(f, ch, T).count() == 32);
            Rollup h = hourly(f, ch, T);
            assertThat(h.max()).isEqualTo(3000);
            assertThat(h.energy()).isEqualTo(500 + 2 * (2000 / 2.0) * 30 / 3600.0, within(1e-6));
            await(() -> !f.store.daily(List.of(ch), T - 10 * HOUR, T + HOUR).isEmpty()
                    && f.store
                                    .daily(List.of(ch), T - 10 * HOUR, T + HOUR)
                                    .get(0)
                                    .count()
                            == 32);
            // the flush clears the stale mark after it wrote the hour and its day
            await(() -> f.store.staleHours().isEmpty());
        }
    }

    @Test
    void registerReadings_giveConsumptionWithoutNegativeSpikes() throws Exception {
        try (PipelineFixture f = new PipelineFixture(dir, PipelineFixture.settings())) {
            f.send(
                    "meter-1",
                    register(T, 1000.0), // kWh
                    register(T + 15 * 60_000L, 1000.5),
                    register(T + 30 * 60_000L, 0.2), // reset to zero: 0.2 kWh since
                    register(T + 45 * 60_000L, 0.7),
                    register(T + 50 * 60_000L, 99999.0), // absurd jump, not counted
                    register(T + 55 * 60_000L, 0.9)); // continues from before the glitch
            int ch = f.channel("meter-1", "energy");

            await(() -> hourly(f, ch, T).count() == 6);
            // 500 Wh + 200 Wh + 500 Wh + 200 Wh: the glitch counts nothing, and nothing is negative
            assertThat(hourly(f, ch, T).energy()).isEqualTo(1400, within(1e-6));
        }
    }

    @Test
    void registerOfReplacedMeter_continuesFromTheNewMeter() throws Exception {
        try (PipelineFixture f = new PipelineFixture(dir, PipelineFixture.settings())) {
            f.send(
                    "meter-1",
                    register(T, 1000.0),
                    register(T + 10 * 60_000L, 1000.1),
                    register(T + 20 * 60_000L, 50000.0), // new meter with a higher register
                    register(T + 30 * 60_000L, 50000.3),
                    register(T + 40 * 60_000L, 50000.4));
            int ch = f.channel("meter-1", "energy");

            await(() -> hourly(f, ch, T).count() == 5);
            // 100 Wh on the old meter, then 300 Wh + 100 Wh on the new one; the swap itself counts nothing
            assertThat(hourly(f, ch, T).energy()).isEqualTo(500, within(1e-6));
        }
    }

    @Test
    void everyInvalidReading_isRejectedWithItsReasonAndQuarantined() throws Exception {
        try (PipelineFixture f = new PipelineFixture(dir, PipelineFixture.settings())) {
            f.send("plug-1", power(T, 5));
            long future = NOW.toEpochMilli() + 6 * 60_000L;
            long old = NOW.toEpochMilli() - 3661L * 24 * HOUR;
            IngestReport report = f.send(
                    "plug-1",
                    new RawReading(null, "active_power", "kWh", 1, T + 1, null),
                    new RawReading(null, "watts", "W", 1, T + 2, null),
                    new RawReading(null, "active_power", "W", Double.NaN, T + 3, null),
                    new RawReading(null, "voltage", "V", 1500, T + 4, null),
                    new RawReading(null, "active_power", "W", 1, future, null),
                    new RawReading(null, "active_power", "W", 1, old, null),
                    new RawReading("active_power", "voltage", "V", 230, T + 5, null),
                    new RawReading(null, "voltage", "V", 230, T + 6, "register"),
                    power(T + 7, 10));

            assertThat(report.accepted()).isEqualTo(1);
            assertThat(report.rejections())
                    .extracting(Rejection::reason)
                    .containsExactly(
                            RejectReason.UNIT_MISMATCH,
                            RejectReason.UNKNOWN_QUANTITY,
                            RejectReason.NOT_FINITE,
                            RejectReason.OUT_OF_RANGE,
                            RejectReason.TIMESTAMP_IN_FUTURE,
                            RejectReason.TIMESTAMP_TOO_OLD,
                            RejectReason.CHANNEL_CONFLICT,
                            RejectReason.ACCUMULATION_MISMATCH);
            assertThat(report.rejections().get(0).detail()).contains("'kWh' does not fit active_power");
            assertThat(f.store.quarantined(null, 100))
                    .extracting(QuarantineEntry::reason)
                    .containsExactlyInAnyOrder(
                            "unit_mismatch",
                            "unknown_quantity",
                            "not_finite",
                            "out_of_range",
                            "timestamp_in_future",
                            "timestamp_too_old",
                            "channel_conflict",
                            "accumulation_mismatch");
        }
    }

    @Test
    void unknownDevice_isRejectedWhenAutoRegistrationIsOff() throws Exception {
        try (PipelineFixture f =
                new PipelineFixture(dir, PipelineFixture.settings().withAutoRegisterDevices(false))) {
            IngestReport report = f.send("stranger", power(T, 1));

            assertThat(report.accepted()).isZero();
            assertThat(report.rejections()).singleElement().satisfies(r -> {
                assertThat(r.reason()).isEqualTo(RejectReason.UNKNOWN_DEVICE);
                assertThat(r.detail()).contains("stranger");
            });
            assertThat(f.store.quarantined("unknown_device", 10)).hasSize(1);
        }
    }

    @Test
    void configuredRange_narrowsValidation() throws Exception {
        try (PipelineFixture f = new PipelineFixture(
                dir, PipelineFixture.settings().withRange(io.meterbase.core.model.Quantity.VOLTAGE, 100, 300))) {
            IngestReport report = f.send(
                    "plug-1",
                    new RawReading(null, "voltage", "V", 230, T, null),
                    new RawReading(null, "voltage", "V", 400, T + 1, null));

            assertThat(report.rejections()).extracting(Rejection::reason).containsExactly(RejectReason.OUT_OF_RANGE);
        }
    }

    @Test
    void fullQueue_refusesAtOnceAndAcknowledgesNothing() throws Exception {
        try (PipelineFixture f =
                new PipelineFixture(dir, PipelineFixture.settings().withQueueCapacity(10))) {
            f.send("plug-1", power(T, 1));
            List<CompletableFuture<IngestReport>> accepted = new ArrayList<>();
            int refused = 0;
            for (int i = 0; i < 200; i++) {
                List<RawReading> batch = new ArrayList<>();
                for (int j = 0; j < 8; j++) {
                    batch.add(power(T + 1000 + i * 10L + j, j));
                }
                try {
                    accepted.add(f.ingest.ingest(
                            Origin.local(f.customer.id(), "test"),
                            new Upload("gw-1", List.of(new NodeReport("plug-1", null, null, null, batch)))));
                } catch (OverloadedException e) {
                    refused++;
                }
            }
            CompletableFuture.allOf(accepted.toArray(CompletableFuture[]::new)).join();

            assertThat(refused).isPositive();
            assertThat(f.store.stats().readings()).isEqualTo(1 + 8L * accepted.size());
        }
    }

    @Test
    void closedWriter_refusesNewWork() throws Exception {
        PipelineFixture f = new PipelineFixture(dir, PipelineFixture.settings());
        f.close();

        assertThatThrownBy(() -> f.ingest.ingest(Origin.local(f.customer.id(), "t"), new Upload(null, List.of())))
                .isInstanceOf(OverloadedException.class);
    }

    private static Rollup hourly(PipelineFixture f, int ch, long hour) {
        List<Rollup> rows = f.store.hourly(List.of(ch), hour, hour + 1);
        return rows.isEmpty() ? new Rollup(ch, hour, 0, 0, 0, 0, 0) : rows.get(0);
    }
}
