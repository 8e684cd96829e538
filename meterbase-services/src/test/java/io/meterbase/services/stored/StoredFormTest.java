package io.meterbase.services.stored;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.meterbase.services.json.ControlJson;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The stored documents keep their form: each golden document below was written by the release before the stored
 * forms had types of their own, and must still read into the same value and be written the same way. A change
 * to an API record must not make any of these fail; a change to a stored form that does needs a reader for the
 * old documents.
 */
class StoredFormTest {

    private static final String TARIFF = """
            {"id":"home-tou","name":"Home time of use","commodity":"electricity","group":"residential",\
            "currency":"EUR","versions":[{"effective_from":"2026-01-01","pricing":"time_of_use","price":0.20,\
            "periods":[{"name":"peak","days":["MON"],"from":"17:00:00","to":"20:00:00","price":0.35}],\
            "holidays":["2026-12-25"],"tiers":[],"billing_day":15,"standing_charge_per_day":0.40},\
            {"effective_from":"2026-06-01","pricing":"tiered","price":null,"periods":[],"holidays":[],\
            "tiers":[{"up_to":100,"price":0.10},{"up_to":null,"price":0.30}],"billing_day":1,\
            "standing_charge_per_day":0}]}""";
    private static final String PRICES = """
            [{"from":"2026-03-01T10:15:30Z","price":0.1234},{"from":"2026-03-01T11:15:30Z","price":-0.01}]""";
    private static final String COMMUNITY = """
            {"community":"north","capacity_kw":250.0,"peak_at":0.7,"critical_at":0.95}""";
    private static final String ALARM = """
            {"id":"a-1","rule_id":"r-1","customer_id":7,"device_ref":"plug-1","type":"over_voltage",\
            "severity":"alarm","state":"acknowledged","message":"voltage 253 V above 250 V","value":253.0,\
            "raised_at":"2026-03-01T10:15:30Z","last_seen_at":"2026-03-01T10:16:30Z","occurrences":3,\
            "acknowledged_at":"2026-03-01T10:17:00Z","acknowledged_by":"ops","cleared_at":"2026-03-01T10:17:30Z"}""";
    private static final String RULE = """
            {"id":"r-1","customer_id":7,"type":"over_voltage","kind":"threshold","quantity":"voltage",\
            "direction":"above","value":250.0,"for_seconds":30,"interval_seconds":null,"missed_intervals":null,\
            "device":"plug-1","category":null,"severity":"alarm"}""";
    private static final String NO_DATA_RULE = """
            {"id":"r-2","customer_id":null,"type":"silent","kind":"no_data","quantity":null,"direction":null,\
            "value":null,"for_seconds":0,"interval_seconds":60,"missed_intervals":3,"device":null,\
            "category":"heating","severity":"warning"}""";
    private static final String WEBHOOK = """
            {"id":"w-1","customer_id":7,"url":"https://example.org/hook"}""";
    private static final String SCHEDULE = """
            {"id":"s-1","customer_id":7,"device":null,"category":"heating","days":["monday"],"from":"06:30:00",\
            "to":"00:00:00"}""";
    private static final String PROGRAM = """
            {"id":"p-1","name":"Evening peak","community":"north","categories":["water_heater"],\
            "stagger_seconds":30}""";
    private static final String EVENT = """
            {"id":"e-1","program_id":"p-1","start":"2026-03-01T10:15:30Z","end":"2026-03-01T12:15:30Z",\
            "target_reduction_kw":12.5,"status":"active","switched":["7/boiler"],"overrides":["8/boiler"]}""";
    private static final String COMMAND = """
            {"id":"c-1","customer_id":7,"device_ref":"plug-1","gateway_ref":"gw-1","type":"set_interval",\
            "params":{"seconds":30},"origin":"api","status":"acknowledged","created_at":"2026-03-01T10:15:30Z",\
            "not_before":"2026-03-01T10:15:31Z","expires_at":"2026-03-01T10:20:30Z",\
            "sent_at":"2026-03-01T10:15:32Z","acknowledged_at":"2026-03-01T10:15:33Z","finished_at":null,\
            "via":"mqtt","detail":"applied","nonce":"n-1","signature":"sig-1"}""";
    private static final String RELAY = """
            {"on":true,"at":"2026-03-01T10:15:30Z","source":"command c-1"}""";

    @Test
    void aTariff_withTimeOfUseAndTieredVersions_keepsItsStoredForm() {
        keepsItsForm(TARIFF, StoredTariff.class, StoredTariff::toApi, StoredTariff::of, StoredSamples.tariff());
    }

    @Test
    void aDaysDynamicPrices_keepTheirStoredForm() throws Exception {
        List<StoredPrice> read = ControlJson.MAPPER.readValue(PRICES, new TypeReference<List<StoredPrice>>() {});
        assertThat(StoredPrice.toApi(read)).isEqualTo(StoredSamples.prices());
        assertThat(tree(ControlJson.write(StoredPrice.of(StoredSamples.prices()))))
                .isEqualTo(tree(PRICES));
    }

    @Test
    void aCommunitysGridSettings_keepTheirStoredForm() {
        keepsItsForm(
                COMMUNITY,
                StoredCommunity.class,
                StoredCommunity::toApi,
                StoredCommunity::of,
                StoredSamples.community());
    }

    @Test
    void anAlarm_acknowledgedAndCleared_keepsItsStoredForm() {
        keepsItsForm(ALARM, StoredAlarm.class, StoredAlarm::toApi, StoredAlarm::of, StoredSamples.alarm());
    }

    @Test
    void alarmRules_ofEachKind_keepTheirStoredForm() {
        keepsItsForm(RULE, StoredAlarmRule.class, StoredAlarmRule::toApi, StoredAlarmRule::of, StoredSamples.rule());
        keepsItsForm(
                NO_DATA_RULE,
                StoredAlarmRule.class,
                StoredAlarmRule::toApi,
                StoredAlarmRule::of,
                StoredSamples.noDataRule());
    }

    @Test
    void aWebhook_keepsItsStoredForm_andOneMadeBeforeSigning_readsWithoutASecret() {
        StoredWebhook old = ControlJson.read(WEBHOOK, StoredWebhook.class);
        assertThat(old.toApi()).isEqualTo(StoredSamples.webhook());
        assertThat(old.secret()).isNull();
        String signed = """
                {"id":"w-1","customer_id":7,"url":"https://example.org/hook","secret":"whsec_0a1b"}""";
        StoredWebhook w = ControlJson.read(signed, StoredWebhook.class);
        assertThat(w.secret()).isEqualTo("whsec_0a1b");
        assertThat(tree(ControlJson.write(w))).isEqualTo(tree(signed));
    }

    @Test
    void aSchedule_endingAtMidnight_keepsItsStoredForm() {
        keepsItsForm(
                SCHEDULE, StoredSchedule.class, StoredSchedule::toApi, StoredSchedule::of, StoredSamples.schedule());
    }

    @Test
    void aDemandResponseProgramAndEvent_keepTheirStoredForm() {
        keepsItsForm(PROGRAM, StoredProgram.class, StoredProgram::toApi, StoredProgram::of, StoredSamples.program());
        keepsItsForm(EVENT, StoredEvent.class, StoredEvent::toApi, StoredEvent::of, StoredSamples.event());
    }

    @Test
    void aSignedCommandAndARelayState_keepTheirStoredForm() {
        keepsItsForm(COMMAND, StoredCommand.class, StoredCommand::toApi, StoredCommand::of, StoredSamples.command());
        keepsItsForm(RELAY, StoredRelay.class, StoredRelay::toApi, StoredRelay::of, StoredSamples.relay());
    }

    /** GIVEN a document of the earlier form WHEN it is read and written again THEN the value and the JSON agree. */
    private static <S, A> void keepsItsForm(
            String golden, Class<S> stored, Function<S, A> toApi, Function<A, S> of, A expected) {
        assertThat(toApi.apply(ControlJson.read(golden, stored))).isEqualTo(expected);
        assertThat(tree(ControlJson.write(of.apply(expected)))).isEqualTo(tree(golden));
    }

    private static JsonNode tree(String json) {
        try {
            return ControlJson.MAPPER.readTree(json);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
