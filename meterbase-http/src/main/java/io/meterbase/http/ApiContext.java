package io.meterbase.http;

import io.meterbase.analytics.service.Analytics;
import io.meterbase.core.auth.DevicePsk;
import io.meterbase.core.health.Health;
import io.meterbase.core.ingest.Intake;
import io.meterbase.core.ingest.LiveState;
import io.meterbase.core.ingest.Presence;
import io.meterbase.core.query.ConsumptionService;
import io.meterbase.core.query.HistoryService;
import io.meterbase.core.registry.Registry;
import io.meterbase.core.store.ParquetEncoder;
import io.meterbase.core.store.Store;
import io.meterbase.services.Control;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.function.Supplier;

/**
 * Everything the HTTP API needs, handed over as one toolbox: services, the store for reads, metrics, and limits.
 */
public record ApiContext(
        Registry registry,
        Intake intake,
        Store store,
        LiveState live,
        ConsumptionService consumption,
        HistoryService history,
        ParquetEncoder parquet,
        Presence presence,
        DevicePsk devicePsk,
        Control control,
        Analytics analytics,
        PrometheusMeterRegistry metrics,
        Supplier<Health> health,
        Clock clock,
        int maxBodyBytes) {}
