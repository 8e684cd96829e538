package io.meterbase.core.api;

import io.meterbase.core.api.alarm.Alarm;
import io.meterbase.core.api.command.Command;
import io.meterbase.core.api.community.Comparison;
import io.meterbase.core.api.community.GridState;
import io.meterbase.core.api.community.Metric;
import io.meterbase.core.query.CustomerSummary;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What a gateway (or a device uploading by itself) is told after each upload. Each transport writes it in its own
 * form; HTTP puts it beside the upload's counts.
 *
 * @param customer the customer's power and energy today, and their cost when a tariff applies
 * @param community the community comparisons of power and of energy today, for those the customer has
 * @param grid the grid state of the customer's community, if it has one
 * @param commands the commands due for the nodes behind the sender, now handed over (they become sent)
 * @param openAlarms the customer's open alarms, at most {@link #MAX_ALARMS}
 */
public record GatewayAnswer(
        Customer customer,
        Map<Metric, Comparison> community,
        @Nullable GridState grid,
        List<Command> commands,
        List<Alarm> openAlarms) {

    /** The most open alarms an answer carries. */
    public static final int MAX_ALARMS = 20;

    public GatewayAnswer {
        community = Map.copyOf(community);
        commands = List.copyOf(commands);
        openAlarms = List.copyOf(openAlarms.subList(0, Math.min(MAX_ALARMS, openAlarms.size())));
    }

    /**
     * @param now power, energy today and the time of the newest reading
     * @param cost the cost so far today and the price now, when a tariff applies
     */
    public record Customer(CustomerSummary now, @Nullable Cost cost) {}

    /**
     * @param currency the tariff's currency
     * @param today the cost so far today, if it could be worked out
     * @param priceNow the price now, if the tariff gives one
     * @param priceUnit what the price is per (e.g. kWh)
     */
    public record Cost(
            String currency,
            @Nullable BigDecimal today,
            @Nullable BigDecimal priceNow,
            String priceUnit) {}
}
