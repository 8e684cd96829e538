package io.meterbase.core.api.analytics;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** What the analytics answer: forecasts, incidents, the clustering of customers, and their runs. Thread-safe. */
public interface AnalyticsApi {

    /** The forecasts of a customer's meters. */
    List<ForecastAnswer> forecastsOf(long customer);

    /** The forecast of one of a customer's devices, once made. */
    Optional<ForecastAnswer> forecastOf(long customer, String deviceRef);

    /** The forecast of a community's total, once made. */
    Optional<ForecastAnswer> communityForecast(String community);

    /** Why forecasts are not made yet, while they are not. */
    Optional<String> waitingFor();

    /** When the forecast models were last trained. */
    Optional<Instant> trainedAt();

    /** Incidents, newest first: of one customer, or of all with {@code customer} null. */
    List<IncidentAnswer> incidents(@Nullable Long customer, boolean openOnly, int limit);

    Optional<IncidentAnswer> incident(String id);

    /** The latest clustering of the customers. */
    Optional<ClustersAnswer> clusters();

    /** The cluster a customer is in, in the latest clustering. */
    Optional<ClustersAnswer.Group> clusterOf(long customer);

    /** Runs forecasts, incidents and clustering now (retraining the models first with {@code retrain}). */
    RunAnswer runNow(boolean retrain);

    /** What the last complete run did. */
    Optional<RunAnswer> lastRun();
}
