package io.meterbase.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.meterbase.core.api.GatewayAnswer;
import io.meterbase.core.api.alarm.Alarm;
import io.meterbase.core.api.alarm.Severity;
import io.meterbase.core.api.command.Command;
import io.meterbase.core.api.community.Comparison;
import io.meterbase.core.api.community.GridState;
import io.meterbase.core.api.community.Metric;
import io.meterbase.core.ingest.IngestReport;
import io.meterbase.core.ingest.Rejection;
import io.meterbase.core.query.CustomerSummary;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The answer to an upload over HTTP: what was stored, refused or already there, and then what the sender is told
 * ({@link GatewayAnswer}). Gateways read these names; docs/api.md describes them.
 */
record UploadAnswer(
        int accepted,
        int duplicates,
        int rejected,
        List<RejectionJson> rejections,
        CustomerJson customer,
        Map<String, Object> community,
        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable GridJson grid,
        List<Map<String, Object>> commands,
        List<AlarmJson> alarms) {

    static UploadAnswer of(IngestReport report, GatewayAnswer answer) {
        Map<String, Object> community = new LinkedHashMap<>();
        for (Metric m : List.of(Metric.POWER, Metric.ENERGY_TODAY)) {
            Comparison c = answer.community().get(m);
            if (c != null) {
                community.put(m.name().toLowerCase(Locale.ROOT), c.shown() ? ShownJson.of(c) : new WithheldJson(c));
            }
        }
        GridState g = answer.grid();
        return new UploadAnswer(
                report.accepted(),
                report.duplicates(),
                report.rejected(),
                report.rejections().stream().map(RejectionJson::new).toList(),
                CustomerJson.of(answer.customer()),
                community,
                g == null ? null : new GridJson(g.state(), g.priceLevel(), g.activeEvents()),
                answer.commands().stream().map(Command::wire).toList(),
                answer.openAlarms().stream().map(AlarmJson::new).toList());
    }

    record RejectionJson(String node, int index, String reason, String detail) {
        RejectionJson(Rejection r) {
            this(r.node(), r.index(), r.reason().key(), r.detail());
        }
    }

    /** Cost, currency and prices appear only when a tariff applies to the customer. */
    record CustomerJson(
            double powerW,
            double energyTodayWh,
            @Nullable Instant asOf,

            @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable
            String currency,

            @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable
            BigDecimal costToday,

            @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable
            BigDecimal priceNow,

            @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable
            String priceUnit) {

        static CustomerJson of(GatewayAnswer.Customer c) {
            CustomerSummary now = c.now();
            GatewayAnswer.Cost cost = c.cost();
            return cost == null
                    ? new CustomerJson(now.powerW(), now.energyTodayWh(), now.asOf(), null, null, null, null)
                    : new CustomerJson(
                            now.powerW(),
                            now.energyTodayWh(),
                            now.asOf(),
                            cost.currency(),
                            cost.today(),
                            cost.priceNow(),
                            cost.priceUnit());
        }
    }

    record WithheldJson(int customers, @Nullable String withheld) {
        WithheldJson(Comparison c) {
            this(c.customers(), c.withheld());
        }
    }

    record ShownJson(
            int customers,
            @Nullable Double min,
            @Nullable Double max,
            @Nullable Double average,
            @Nullable Integer rank,
            @Nullable Double percentile) {
        static ShownJson of(Comparison c) {
            return new ShownJson(c.customers(), c.min(), c.max(), c.average(), c.rank(), c.percentile());
        }
    }

    record GridJson(GridState.Level state, GridState.PriceLevel priceLevel, List<String> events) {}

    record AlarmJson(String id, String type, String device, Severity severity, Alarm.State state) {
        AlarmJson(Alarm a) {
            this(a.id(), a.type(), a.deviceRef(), a.severity(), a.state());
        }
    }
}
