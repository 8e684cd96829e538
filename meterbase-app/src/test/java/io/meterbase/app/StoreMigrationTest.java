package io.meterbase.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meterbase.core.auth.AuthResult;
import io.meterbase.core.ingest.NodeReport;
import io.meterbase.core.ingest.RawReading;
import io.meterbase.core.ingest.Upload;
import io.meterbase.core.model.Channel;
import io.meterbase.core.model.Reading;
import io.meterbase.core.model.Role;
import io.meterbase.core.registry.Registry;
import io.meterbase.core.store.QuarantineEntry;
import io.meterbase.core.store.Rollup;
import io.meterbase.store.contract.PgCluster;
import io.meterbase.store.postgres.PostgresOptions;
import io.meterbase.store.postgres.PostgresStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Moving up: everything written through the pipeline into the embedded store arrives in PostgreSQL. */
class StoreMigrationTest {

    @TempDir
    Path dir;

    @Test
    void moveToPostgres_keepsReadingsRollupsKeysAndQuarantine() throws Exception {
        long t0 = Instant.parse("2026-10-31T22:00:00Z").toEpochMilli(); // spans two months
        String secret;
        List<Reading> before;
        List<Rollup> hourlyBefore;
        List<Rollup> dailyBefore;
        List<Integer> channels = new ArrayList<>();
        Clock clock = Clock.fixed(Instant.parse("2026-11-01T12:00:00Z"), ZoneOffset.UTC);
        try (PipelineFixture f = new PipelineFixture(dir, PipelineFixture.settings(), clock)) {
            List<RawReading> rs = new ArrayList<>();
            for (int m = 0; m < 240; m++) {
                rs.add(PipelineFixture.power(t0 + m * 60_000L, 100 + m));
                rs.add(PipelineFixture.register(t0 + m * 60_000L, 10 + m * 0.01));
            }
            f.send(new Upload("gw", List.of(new NodeReport("plug-m", "Heater", "smart_plug", "heating", rs))));
            f.send("plug-m", new RawReading(null, "voltage", "kWh", 1, t0, null)); // quarantined
            secret =
                    f.registry.createKey(f.customer.id(), Role.CUSTOMER, "kept").secret();
            for (Channel c : f.registry.allChannels()) {
                channels.add(c.id());
            }
            PipelineFixture.await(
                    () -> f.store.hourly(channels, t0, t0 + 5 * 3_600_000L).size() == 8);
            PipelineFixture.await(() ->
                    f.store.daily(channels, t0 - 86_400_000L, t0 + 86_400_000L).size() == 4);
            before = new ArrayList<>();
            for (int c : channels) {
                before.addAll(f.store.readings(c, t0, t0 + 86_400_000L, 10_000));
            }
            hourlyBefore = f.store.hourly(channels, Long.MIN_VALUE, Long.MAX_VALUE);
            dailyBefore = f.store.daily(channels, Long.MIN_VALUE, Long.MAX_VALUE);
        }
        MeterbaseConfig embedded = MeterbaseConfig.defaults().with("data.dir", dir.toString());
        try (PgCluster cluster = PgCluster.start()) {
            PostgresOptions pg =
                    new PostgresOptions(cluster.url("meterbase"), PgCluster.USER, PgCluster.PASSWORD, 4, true);
            try (var source = Meterbase.openStore(embedded);
                    PostgresStore target = PostgresStore.open(pg)) {
                StoreMigration.Copied copied = new StoreMigration(source, target, line -> {}).run();

                assertThat(copied.readings()).isEqualTo(480);
                List<Reading> after = new ArrayList<>();
                for (int c : channels) {
                    after.addAll(target.readings(c, t0, t0 + 86_400_000L, 10_000));
                }
                assertThat(after).containsExactlyElementsOf(before);
                assertThat(target.months())
                        .containsExactlyElementsOf(source.readings().months());
                assertThat(target.hourly(channels, Long.MIN_VALUE, Long.MAX_VALUE))
                        .containsExactlyInAnyOrderElementsOf(hourlyBefore);
                assertThat(target.daily(channels, Long.MIN_VALUE, Long.MAX_VALUE))
                        .containsExactlyInAnyOrderElementsOf(dailyBefore);
                assertThat(target.quarantined(null, 10))
                        .extracting(QuarantineEntry::reason)
                        .containsExactly("unit_mismatch");
                Registry moved = new Registry(target.metadata(), clock);
                AuthResult auth = moved.authenticate(secret);
                assertThat(auth).isInstanceOf(AuthResult.Accepted.class);
                // ids made after the move come from the database's sequences, past every copied one
                long largestCopied = java.util.stream.Stream.of(
                                target.metadata().customers().stream().map(io.meterbase.core.model.Customer::id),
                                target.metadata().sites().stream().map(io.meterbase.core.model.Site::id),
                                target.metadata().devices().stream().map(io.meterbase.core.model.Device::id),
                                target.metadata().apiKeys().stream().map(io.meterbase.core.model.ApiKey::id))
                        .flatMap(ids -> ids)
                        .mapToLong(Long::longValue)
                        .max()
                        .orElseThrow();
                assertThat(moved.createCustomer("After the move", null, null, null, null, null)
                                .id())
                        .isGreaterThan(largestCopied);
                int largestChannel =
                        channels.stream().mapToInt(Integer::intValue).max().orElseThrow();
                assertThat(moved.channelOrCreate(
                                        target.metadata().devices().get(0).id(),
                                        "after_the_move",
                                        io.meterbase.core.model.Quantity.ACTIVE_POWER,
                                        io.meterbase.core.model.Accumulation.INSTANT)
                                .id())
                        .isGreaterThan(largestChannel);

                assertThatThrownBy(() -> new StoreMigration(source, target, line -> {}).run())
                        .hasMessageContaining("not empty");
            }
        }
    }
}
