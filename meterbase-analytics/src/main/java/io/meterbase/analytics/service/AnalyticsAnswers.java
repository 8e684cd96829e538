package io.meterbase.analytics.service;

import io.meterbase.core.api.analytics.AnalyticsApi;
import io.meterbase.core.api.analytics.ClustersAnswer;
import io.meterbase.core.api.analytics.ForecastAnswer;
import io.meterbase.core.api.analytics.IncidentAnswer;
import io.meterbase.core.api.analytics.RunAnswer;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The analytics behind core's {@link AnalyticsApi}: their stored results mapped to the API's answers, so that either
 * can change without the other.
 */
public final class AnalyticsAnswers implements AnalyticsApi {

    private final Analytics analytics;

    public AnalyticsAnswers(Analytics analytics) {
        this.analytics = analytics;
    }

    @Override
    public List<ForecastAnswer> forecastsOf(long customer) {
        return analytics.forecasts().ofCustomer(customer).stream()
                .map(AnalyticsAnswers::answer)
                .toList();
    }

    @Override
    public Optional<ForecastAnswer> forecastOf(long customer, String deviceRef) {
        return analytics.forecasts().ofDevice(customer, deviceRef).map(AnalyticsAnswers::answer);
    }

    @Override
    public Optional<ForecastAnswer> communityForecast(String community) {
        return analytics.forecasts().ofCommunity(community).map(AnalyticsAnswers::answer);
    }

    @Override
    public Optional<String> waitingFor() {
        return analytics.forecasts().waitingFor();
    }

    @Override
    public Optional<Instant> trainedAt() {
        return analytics.forecasts().trainedAt();
    }

    @Override
    public List<IncidentAnswer> incidents(@Nullable Long customer, boolean openOnly, int limit) {
        return analytics.incidents().incidents(customer, openOnly, limit).stream()
                .map(AnalyticsAnswers::answer)
                .toList();
    }

    @Override
    public Optional<IncidentAnswer> incident(String id) {
        return analytics.incidents().incident(id).map(AnalyticsAnswers::answer);
    }

    @Override
    public Optional<ClustersAnswer> clusters() {
        return analytics.clusters().latest().map(AnalyticsAnswers::answer);
    }

    @Override
    public Optional<ClustersAnswer.Group> clusterOf(long customer) {
        return analytics.clusters().of(customer).map(AnalyticsAnswers::answer);
    }

    @Override
    public RunAnswer runNow(boolean retrain) {
        return answer(analytics.runNow(retrain));
    }

    @Override
    public Optional<RunAnswer> lastRun() {
        return analytics.last().map(AnalyticsAnswers::answer);
    }

    static ForecastAnswer answer(MeterForecast f) {
        return new ForecastAnswer(
                f.key(),
                f.customer(),
                f.device(),
                f.community(),
                f.commodity(),
                f.unit(),
                f.generatedAt(),
                f.basedOnDataUntil(),
                f.levelPerHour(),
                f.coverage(),
                answer(f.nextHour()),
                f.hours().stream().map(AnalyticsAnswers::answer).toList(),
                f.degreeDays());
    }

    private static ForecastAnswer.Point answer(MeterForecast.Point p) {
        return new ForecastAnswer.Point(p.start(), p.value(), p.low(), p.high());
    }

    static IncidentAnswer answer(Incident i) {
        Incident.Evidence e = i.evidence();
        return new IncidentAnswer(
                i.id(),
                i.type(),
                i.customer(),
                i.device(),
                i.confidence(),
                i.severity(),
                i.state(),
                i.detectedAt(),
                i.lastSeenAt(),
                i.closedAt(),
                i.summary(),
                new IncidentAnswer.Evidence(e.from(), e.to(), e.unit(), e.hourly(), e.figures()));
    }

    static ClustersAnswer answer(CustomerClusters c) {
        return new ClustersAnswer(
                c.generatedAt(),
                c.days(),
                c.customers(),
                c.k(),
                c.silhouette(),
                c.clusters().stream().map(AnalyticsAnswers::answer).toList(),
                c.assignments());
    }

    private static ClustersAnswer.Group answer(CustomerClusters.Group g) {
        return new ClustersAnswer.Group(g.id(), g.size(), g.description(), g.weekday(), g.weekend());
    }

    static RunAnswer answer(Analytics.Summary s) {
        ForecastService.Run f = s.forecasts();
        IncidentService.Run i = s.incidents();
        return new RunAnswer(
                s.at(),
                s.historyMillis(),
                f == null
                        ? null
                        : new RunAnswer.Forecasts(
                                f.meters(),
                                f.communities(),
                                f.retrained(),
                                f.trainingRows(),
                                f.trainMillis(),
                                f.saveMillis(),
                                f.millis(),
                                f.note()),
                i == null ? null : new RunAnswer.Incidents(i.open(), i.raised(), i.closed(), i.millis()),
                s.clusters(),
                s.millis());
    }
}
