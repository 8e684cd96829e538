package io.meterbase.app;

import io.meterbase.core.energy.ChannelInfo;
import io.meterbase.core.energy.EnergyRules;
import io.meterbase.core.energy.RollupTracker;
import io.meterbase.core.ingest.DurableWriter;
import io.meterbase.core.ingest.IngestMetrics;
import io.meterbase.core.ingest.IngestReport;
import io.meterbase.core.ingest.IngestService;
import io.meterbase.core.ingest.IngestSettings;
import io.meterbase.core.ingest.LiveState;
import io.meterbase.core.ingest.NodeReport;
import io.meterbase.core.ingest.Normalizer;
import io.meterbase.core.ingest.Origin;
import io.meterbase.core.ingest.RawReading;
import io.meterbase.core.ingest.Upload;
import io.meterbase.core.model.Channel;
import io.meterbase.core.model.Customer;
import io.meterbase.core.registry.Registry;
import io.meterbase.store.duckdb.DuckDbOptions;
import io.meterbase.store.duckdb.DuckDbStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** The ingest pipeline wired on a real embedded store in a directory, without transports. */
final class PipelineFixture implements AutoCloseable {

    static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");

    final DuckDbStore store;
    final Registry registry;
    final LiveState live = new LiveState();
    final DurableWriter writer;
    final IngestService ingest;
    final Customer customer;

    PipelineFixture(Path dir, IngestSettings settings) {
        this(dir, settings, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    PipelineFixture(Path dir, IngestSettings settings, Clock clock) {
        store = DuckDbStore.open(new DuckDbOptions(dir, "256MB", 1, 2));
        registry = new Registry(store.metadata(), clock);
        customer = registry.customers().isEmpty()
                ? registry.createCustomer("Ana", "Home", null, null, "north", ZoneId.of("UTC"))
                : registry.customers().get(0);
        ChannelInfo info = new ChannelInfo() {
            @Override
            public Optional<Channel> channel(int channelId) {
                return registry.channel(channelId);
            }

            @Override
            public ZoneId zone(int channelId) {
                return ZoneOffset.UTC;
            }
        };
        RollupTracker rollups = new RollupTracker(store, info, new EnergyRules(15 * 60_000));
        writer = new DurableWriter(
                        store,
                        rollups,
                        live::onDurable,
                        IngestMetrics.NONE,
                        new DurableWriter.Settings(
                                settings.queueCapacity(),
                                settings.maxBatch(),
                                Duration.ofMillis(50),
                                settings.answerWithin(),
                                settings.drainOnClose()),
                        clock)
                .start();
        ingest = new IngestService(new Normalizer(registry, settings), writer, IngestMetrics.NONE, clock);
    }

    static IngestSettings settings() {
        return IngestSettings.defaults();
    }

    IngestReport send(String node, RawReading... readings) throws Exception {
        return send(new Upload("gw-1", List.of(new NodeReport(node, node, "smart_plug", "fridge", List.of(readings)))));
    }

    IngestReport send(Upload upload) throws Exception {
        return ingest.ingest(Origin.local(customer.id(), "test"), upload).get(30, TimeUnit.SECONDS);
    }

    static RawReading power(long ts, double watts) {
        return new RawReading(null, "active_power", "W", watts, ts, null);
    }

    static RawReading register(long ts, double kwh) {
        return new RawReading("energy", "energy_import", "kWh", kwh, ts, "register");
    }

    int channel(String node, String name) {
        long device = registry.device(customer.id(), node).orElseThrow().id();
        return registry.channel(device, name).orElseThrow().id();
    }

    static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 20 s");
            }
            Thread.sleep(20);
        }
    }

    @Override
    public void close() {
        writer.close();
        store.close();
    }
}
