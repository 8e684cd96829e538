package io.meterbase.app;

import io.meterbase.core.ingest.IngestMetrics;
import io.meterbase.core.ingest.IngestMetrics.Refusal;
import io.meterbase.core.ingest.RejectReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Pipeline metrics in Prometheus form: {@code meterbase_ingest_readings_total{result}},
 * {@code meterbase_ingest_rejected_total{reason}}, {@code meterbase_ingest_refused_total{why}},
 * {@code meterbase_quarantine_counted_total},
 * {@code meterbase_store_write_seconds} (per group commit), {@code meterbase_ingest_queue_readings}.
 */
final class MicrometerIngestMetrics implements IngestMetrics {

    private final MeterRegistry registry;
    private final Counter stored;
    private final Counter duplicates;
    private final Counter written;
    private final Counter writeFailures;
    private final Map<Refusal, Counter> refused = new EnumMap<>(Refusal.class);
    private final Counter quarantineCounted;
    private final Timer writeTime;
    private final Map<RejectReason, Counter> rejected = new EnumMap<>(RejectReason.class);

    MicrometerIngestMetrics(MeterRegistry registry) {
        this.registry = registry;
        stored = Counter.builder("meterbase.ingest.readings")
                .tag("result", "stored")
                .register(registry);
        duplicates = Counter.builder("meterbase.ingest.readings")
                .tag("result", "duplicate")
                .register(registry);
        written = Counter.builder("meterbase.store.readings.written").register(registry);
        writeFailures = Counter.builder("meterbase.store.write.failures").register(registry);
        for (Refusal why : Refusal.values()) {
            refused.put(
                    why,
                    Counter.builder("meterbase.ingest.refused")
                            .description("submissions refused as a whole; their senders were told to retry")
                            .tag("why", why.key())
                            .register(registry));
        }
        quarantineCounted = Counter.builder("meterbase.quarantine.counted")
                .description("refused inputs counted but not kept (over their quota, or while the disk is low)")
                .register(registry);
        writeTime = Timer.builder("meterbase.store.write")
                .description("time of one durable group commit")
                .publishPercentiles(0.5, 0.99)
                .register(registry);
        for (RejectReason r : RejectReason.values()) {
            rejected.put(
                    r,
                    Counter.builder("meterbase.ingest.rejected")
                            .tag("reason", r.key())
                            .register(registry));
        }
    }

    @Override
    public void written(int readings, long nanos) {
        written.increment(readings);
        writeTime.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void writeFailed() {
        writeFailures.increment();
    }

    @Override
    public void queueDepth(Supplier<Number> depth) {
        Gauge.builder("meterbase.ingest.queue.readings", () -> depth.get().doubleValue())
                .register(registry);
    }

    @Override
    public void accepted(int readings, int dups) {
        stored.increment(readings);
        duplicates.increment(dups);
    }

    @Override
    public void rejected(RejectReason reason, int count) {
        Objects.requireNonNull(rejected.get(reason), "a counter per reason").increment(count);
    }

    @Override
    public void refused(Refusal why) {
        Objects.requireNonNull(refused.get(why), "a counter per refusal").increment();
    }

    @Override
    public void quarantineCounted(int count) {
        quarantineCounted.increment(count);
    }
}
