package io.meterbase.http;

import io.meterbase.core.api.ServicesApi;
import io.meterbase.core.api.analytics.AnalyticsApi;
import io.meterbase.core.auth.DevicePsk;
import io.meterbase.core.health.Health;
import io.meterbase.core.ingest.Intake;
import io.meterbase.core.ingest.LiveState;
import io.meterbase.core.ingest.Presence;
import io.meterbase.core.query.ConsumptionService;
import io.meterbase.core.query.HistoryService;
import io.meterbase.core.registry.Registry;
import io.meterbase.core.store.ParquetEncoder;
import io.meterbase.core.store.ReadingStore;
import io.meterbase.identity.Accounts;
import io.meterbase.identity.ClientAuthorities;
import io.meterbase.identity.Grants;
import io.meterbase.identity.Sessions;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.Map;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Everything the HTTP API needs (including {@code node}: this node's settings in effect, for operators), handed over as one toolbox: services, the readings for reads, the
 * accounts and grants of the identity module, metrics, and limits; {@code clientAuthorities} is null unless devices
 * may use X.509 client certificates.
 */
public record ApiContext(
        Registry registry,
        Intake intake,
        ReadingStore readings,
        Accounts accounts,
        Sessions sessions,
        Grants grants,
        LiveState live,
        ConsumptionService consumption,
        HistoryService history,
        ParquetEncoder parquet,
        Presence presence,
        DevicePsk devicePsk,
        ServicesApi control,
        AnalyticsApi analytics,
        PrometheusMeterRegistry metrics,
        Supplier<Health> health,
        Supplier<Map<String, Object>> node,
        Clock clock,
        int maxBodyBytes,
        @Nullable ClientAuthorities clientAuthorities) {}
