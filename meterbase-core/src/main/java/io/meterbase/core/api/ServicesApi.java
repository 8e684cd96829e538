package io.meterbase.core.api;

import io.meterbase.core.api.alarm.AlarmsApi;
import io.meterbase.core.api.alarm.WebhooksApi;
import io.meterbase.core.api.command.CommandsApi;
import io.meterbase.core.api.community.CommunityApi;
import io.meterbase.core.api.community.GridApi;
import io.meterbase.core.api.community.GridState;
import io.meterbase.core.api.dr.DemandResponseApi;
import io.meterbase.core.api.dr.SchedulesApi;
import io.meterbase.core.api.tariff.BillsApi;
import io.meterbase.core.api.tariff.GroupsApi;
import io.meterbase.core.api.tariff.TariffsApi;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The services below the edges, as the HTTP API and the pages use them: tariffs and bills, community and grid,
 * commands, schedules, demand response, alarms and webhooks. The services module implements it; the app hands it
 * to the edges, which never see the services' own classes.
 */
public interface ServicesApi {

    TariffsApi tariffs();

    GroupsApi groups();

    BillsApi biller();

    CommunityApi community();

    GridApi grid();

    /** The grid state of a customer's community, if the customer is in one. */
    Optional<GridState> gridOf(long customerId);

    CommandsApi commands();

    SchedulesApi schedules();

    DemandResponseApi demandResponse();

    AlarmsApi alarms();

    /** Sub-meters, virtual meters and district balances. */
    io.meterbase.core.api.meters.MetersApi meters();

    WebhooksApi webhooks();

    /**
     * What the installation says to everyone signed in, by id (e.g. the demo's "history is loading"); shared by the
     * nodes. Put with a text, removed with null.
     */
    java.util.Map<String, String> notices();

    void notice(String id, @Nullable String text);

    /** Who hears of alarms by e-mail, and how. */
    io.meterbase.core.api.alarm.NotificationsApi notifications();

    /**
     * What an upload's answer carries for its sender besides the readings' counts: the customer's figures and
     * community comparisons, the grid state, the commands now due (handed over: they become sent) and the open
     * alarms.
     */
    GatewayAnswer gatewayAnswer(long customerId, @Nullable String senderRef, String channel);
}
