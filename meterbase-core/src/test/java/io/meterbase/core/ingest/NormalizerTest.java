package io.meterbase.core.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

import io.meterbase.core.model.Accumulation;
import io.meterbase.core.model.Category;
import io.meterbase.core.model.Channel;
import io.meterbase.core.model.Customer;
import io.meterbase.core.model.Device;
import io.meterbase.core.model.DeviceType;
import io.meterbase.core.model.Gateway;
import io.meterbase.core.model.Quality;
import io.meterbase.core.model.Quantity;
import io.meterbase.core.model.Reading;
import io.meterbase.core.registry.Registry;
import io.meterbase.core.store.QuarantineEntry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The normalizer over the in-memory registry, at a fixed time: what it converts, registers and refuses, with which
 * reason, and what it quarantines. No database; each test takes milliseconds.
 */
class NormalizerTest {

    private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");
    private static final long T = NOW.toEpochMilli();

    private final MemoryMetadataStore metadata = new MemoryMetadataStore();
    private final Registry registry = new Registry(metadata, Clock.fixed(NOW, ZoneOffset.UTC));
    private final Customer customer = registry.createCustomer("Ana", "Home", null, null, "north", ZoneId.of("UTC"));
    private final Normalizer normalizer = new Normalizer(registry, IngestSettings.defaults());

    private static RawReading raw(String channel, String quantity, String unit, double value, long ts) {
        return new RawReading(channel, quantity, unit, value, ts, null);
    }

    /** An upload of one device that reports directly (no gateway). */
    private static Upload upload(String device, RawReading... readings) {
        return new Upload(null, List.of(new NodeReport(device, null, "smart_plug", null, List.of(readings))));
    }

    private Normalized normalize(Upload upload) {
        return normalizer.normalize(customer.id(), "mqtt:test", upload);
    }

    private Device device(String ref) {
        return registry.device(customer.id(), ref).orElseThrow();
    }

    private Channel channel(String device, String name) {
        return registry.channel(device(device).id(), name).orElseThrow();
    }

    @Test
    void aReadingInAMultipleOfTheCanonicalUnit_isConvertedToIt() {
        // GIVEN readings in kW, kWh, °F, K and % (none of them the canonical unit of its quantity)
        Upload upload = upload(
                "meter-1",
                raw("power", "active_power", "kW", 1.5, T),
                raw("energy", "energy_import", "kWh", 2.5, T),
                raw("boiler", "temperature", "°F", 212, T),
                raw("cellar", "temperature", "K", 300, T),
                raw("pf", "power_factor", "%", 85, T));

        // WHEN they are normalized
        Normalized out = normalize(upload);

        // THEN each is stored in the canonical unit of its quantity (W, Wh, °C, °C, ratio), as a good reading
        assertThat(out.rejections()).isEmpty();
        assertThat(out.readings()).extracting(Reading::timestamp).containsOnly(T);
        assertThat(out.readings()).extracting(Reading::quality).containsOnly(Quality.GOOD);
        assertThat(out.readings()).hasSize(5);
        assertThat(out.readings().get(0).value()).isEqualTo(1500.0);
        assertThat(out.readings().get(1).value()).isEqualTo(2500.0);
        assertThat(out.readings().get(2).value()).isCloseTo(100.0, within(1e-9));
        assertThat(out.readings().get(3).value()).isCloseTo(26.85, within(1e-9));
        assertThat(out.readings().get(4).value()).isCloseTo(0.85, within(1e-12));
        assertThat(out.readings())
                .extracting(Reading::channelId)
                .containsExactly(
                        channel("meter-1", "power").id(),
                        channel("meter-1", "energy").id(),
                        channel("meter-1", "boiler").id(),
                        channel("meter-1", "cellar").id(),
                        channel("meter-1", "pf").id());
    }

    @Test
    void anUnknownDevice_isRegisteredWithItsReadings_behindItsGateway_andKeepsItsChannelsAfterwards() {
        // GIVEN a customer with no gateway, device or channel, and an upload of a new gateway's node
        Upload first = new Upload(
                "gw-1",
                List.of(new NodeReport(
                        "plug-1",
                        "Kitchen plug",
                        "smart_plug",
                        "kettle",
                        List.of(
                                raw("power", "active_power", "W", 2000, T - 1000),
                                raw(null, "energy_import", "Wh", 12_345, T - 1000)))));

        // WHEN it is normalized
        Normalized out = normalize(first);

        // THEN the gateway, the device (with its name, type and category, behind the gateway at the default site)
        // and a channel per reading are registered, and the readings go to those channels
        Gateway gateway = registry.gateway(customer.id(), "gw-1").orElseThrow();
        Device plug = device("plug-1");
        assertThat(plug.name()).isEqualTo("Kitchen plug");
        assertThat(plug.type()).isEqualTo(DeviceType.SMART_PLUG);
        assertThat(plug.category()).isEqualTo(Category.KETTLE);
        assertThat(plug.gatewayId()).isEqualTo(gateway.id());
        assertThat(plug.siteId()).isEqualTo(registry.defaultSite(customer.id()).id());
        assertThat(registry.channels(plug.id()))
                .extracting(Channel::name, Channel::quantity, Channel::accumulation)
                .containsExactly(
                        tuple("power", Quantity.ACTIVE_POWER, Accumulation.INSTANT),
                        // a reading without a channel name goes to the channel named for its quantity; an amount
                        // without a kind is a register
                        tuple("energy_import", Quantity.ENERGY_IMPORT, Accumulation.CUMULATIVE));
        Channel power = channel("plug-1", "power");
        Channel energy = channel("plug-1", "energy_import");
        assertThat(out.readings())
                .containsExactly(
                        new Reading(power.id(), T - 1000, 2000, Quality.GOOD),
                        new Reading(energy.id(), T - 1000, 12_345, Quality.GOOD));
        assertThat(metadata.devices()).containsExactly(plug);
        assertThat(metadata.channels()).hasSize(2);

        // AND WHEN the device sends again, through the same gateway
        Normalized again = normalize(new Upload(
                "gw-1",
                List.of(new NodeReport(
                        "plug-1", null, null, null, List.of(raw("power", "active_power", "W", 1990, T))))));

        // THEN its reading goes to the same channel, and nothing new is registered
        assertThat(again.readings()).containsExactly(new Reading(power.id(), T, 1990, Quality.GOOD));
        assertThat(registry.devices(customer.id())).hasSize(1);
        assertThat(registry.gateways(customer.id())).hasSize(1);
        assertThat(registry.channels(plug.id())).hasSize(2);
    }

    @Test
    void aNewNodeNamedTwiceInOneUpload_isOneDevice_withAllItsReadings() {
        // GIVEN an upload that names the same new node twice (a gateway that sends a node's readings in two parts)
        Upload twice = new Upload(
                "gw-1",
                List.of(
                        new NodeReport(
                                "plug-1",
                                null,
                                "smart_plug",
                                null,
                                List.of(raw("power", "active_power", "W", 5, T - 2000))),
                        new NodeReport(
                                "plug-1",
                                null,
                                "smart_plug",
                                null,
                                List.of(raw("power", "active_power", "W", 6, T - 1000)))));

        // WHEN it is normalized
        Normalized out = normalize(twice);

        // THEN one device and one channel are registered, and both readings go to that channel
        assertThat(metadata.devices()).extracting(Device::ref).containsExactly("plug-1");
        Channel power = channel("plug-1", "power");
        assertThat(metadata.channels()).containsExactly(power);
        assertThat(out.readings())
                .containsExactly(
                        new Reading(power.id(), T - 2000, 5, Quality.GOOD),
                        new Reading(power.id(), T - 1000, 6, Quality.GOOD));
    }

    @Test
    void aValueOutsideTheQuantitysRange_isRefusedWithItsReason_afterConversion_andItsBoundsAreAllowed() {
        // GIVEN voltages at, and beyond, the default range of [0, 1000] V, one of them in kV
        Upload upload = upload(
                "meter-1",
                raw("voltage", "voltage", "V", 1000, T - 3000),
                raw("voltage", "voltage", "V", 0, T - 2000),
                raw("voltage", "voltage", "kV", 1.2, T - 1000),
                raw("voltage", "voltage", "V", -0.5, T));

        // WHEN they are normalized
        Normalized out = normalize(upload);

        // THEN the bounds are stored, and the others refused as out of range, in the canonical unit
        assertThat(out.readings()).extracting(Reading::value).containsExactly(1000.0, 0.0);
        assertThat(out.rejections())
                .containsExactly(
                        new Rejection(
                                "meter-1", 2, RejectReason.OUT_OF_RANGE, "voltage 1200.0 V is outside [0.0, 1000.0]"),
                        new Rejection(
                                "meter-1", 3, RejectReason.OUT_OF_RANGE, "voltage -0.5 V is outside [0.0, 1000.0]"));
    }

    @Test
    void aNarrowedRange_refusesWhatTheDefaultRangeAllows() {
        // GIVEN settings that allow temperatures in [-40, 85] °C only
        Normalizer narrowed =
                new Normalizer(registry, IngestSettings.defaults().withRange(Quantity.TEMPERATURE, -40, 85));

        // WHEN a sensor reports 85 °C and 90 °C (both within the default [-60, 200])
        Normalized out = narrowed.normalize(
                customer.id(),
                "mqtt:test",
                upload(
                        "sensor-1",
                        raw("t", "temperature", "Cel", 85, T - 1000),
                        raw("t", "temperature", "Cel", 90, T)));

        // THEN 85 is stored and 90 refused
        assertThat(out.readings()).extracting(Reading::value).containsExactly(85.0);
        assertThat(out.rejections())
                .containsExactly(new Rejection(
                        "sensor-1", 1, RejectReason.OUT_OF_RANGE, "temperature 90.0 Cel is outside [-40.0, 85.0]"));
    }

    @Test
    void aTimestampTooFarInTheFuture_orOlderThanTheRetention_isRefused_andTheLimitsThemselvesAreAllowed() {
        // GIVEN readings at the newest and oldest allowed times (5 min ahead, 3,660 days back), and 1 ms beyond each
        long newest = NOW.plus(Duration.ofMinutes(5)).toEpochMilli();
        long oldest = NOW.minus(Duration.ofDays(3660)).toEpochMilli();
        Upload upload = upload(
                "plug-1",
                raw("power", "active_power", "W", 1, newest),
                raw("power", "active_power", "W", 2, newest + 1),
                raw("power", "active_power", "W", 3, oldest),
                raw("power", "active_power", "W", 4, oldest - 1));

        // WHEN they are normalized
        Normalized out = normalize(upload);

        // THEN the limits are stored, and the readings beyond them refused with their reason
        assertThat(out.readings()).extracting(Reading::timestamp).containsExactly(newest, oldest);
        assertThat(out.rejections())
                .containsExactly(
                        new Rejection(
                                "plug-1",
                                1,
                                RejectReason.TIMESTAMP_IN_FUTURE,
                                "timestamp 2026-11-21T12:05:00.001Z is more than 5 min in the future"),
                        new Rejection(
                                "plug-1",
                                3,
                                RejectReason.TIMESTAMP_TOO_OLD,
                                "timestamp " + Instant.ofEpochMilli(oldest - 1)
                                        + " is older than the retention of 3660 days"));
    }

    @Test
    void aNonFiniteValue_isRefused_andCreatesNoChannel() {
        // GIVEN a new device whose only readings are NaN and infinite
        Upload upload = upload(
                "plug-1",
                raw("power", "active_power", "W", Double.NaN, T),
                raw("power", "active_power", "W", Double.POSITIVE_INFINITY, T - 1000),
                raw("power", "active_power", "W", Double.NEGATIVE_INFINITY, T - 2000));

        // WHEN they are normalized
        Normalized out = normalize(upload);

        // THEN each is refused as not finite, and no channel is created for them
        assertThat(out.readings()).isEmpty();
        assertThat(out.rejections())
                .extracting(Rejection::index, Rejection::reason, Rejection::detail)
                .containsExactly(
                        tuple(0, RejectReason.NOT_FINITE, "value is NaN"),
                        tuple(1, RejectReason.NOT_FINITE, "value is Infinity"),
                        tuple(2, RejectReason.NOT_FINITE, "value is -Infinity"));
        assertThat(registry.channels(device("plug-1").id())).isEmpty();
        assertThat(metadata.channels()).isEmpty();
    }

    @Test
    void anUnknownQuantity_orAUnitOrKindThatDoesNotFitIt_isRefusedAndCreatesNoChannel() {
        // GIVEN readings of a quantity nobody knows, of power in kWh, of power as a register, and a valid one
        Upload upload = upload(
                "plug-1",
                raw("flux", "flux_capacitance", "GW", 1.21, T),
                raw("power", "active_power", "kWh", 1, T),
                new RawReading("power2", "active_power", "W", 5, T, "register"),
                raw("ok", "active_power", "W", 5, T));

        // WHEN they are normalized
        Normalized out = normalize(upload);

        // THEN the first three are refused with their reasons, and only the valid reading's channel exists
        assertThat(out.rejections())
                .extracting(Rejection::index, Rejection::reason, Rejection::detail)
                .containsExactly(
                        tuple(0, RejectReason.UNKNOWN_QUANTITY, "unknown quantity 'flux_capacitance'"),
                        tuple(
                                1,
                                RejectReason.UNIT_MISMATCH,
                                "unit 'kWh' does not fit active_power (expected W or a multiple)"),
                        tuple(
                                2,
                                RejectReason.ACCUMULATION_MISMATCH,
                                "'register' is no kind of active_power (instant, register or interval)"));
        assertThat(registry.channels(device("plug-1").id()))
                .extracting(Channel::name)
                .containsExactly("ok");
        assertThat(out.readings())
                .containsExactly(new Reading(channel("plug-1", "ok").id(), T, 5, Quality.GOOD));
    }

    @Test
    void aChannelThatHoldsAnotherQuantity_refusesTheReading_andKeepsItsOwn() {
        // GIVEN a device whose channel "main" holds active power
        normalize(upload("meter-1", raw("main", "active_power", "W", 100, T - 60_000)));
        Channel main = channel("meter-1", "main");

        // WHEN it sends a voltage, and an energy register, to that channel, and power again
        Normalized out = normalize(upload(
                "meter-1",
                raw("main", "voltage", "V", 230, T),
                raw("main", "energy_import", "Wh", 10, T),
                raw("main", "active_power", "kW", 0.2, T)));

        // THEN the voltage and energy are refused as a conflict, and the power is stored in the channel
        assertThat(out.rejections())
                .extracting(Rejection::index, Rejection::reason, Rejection::detail)
                .containsExactly(
                        tuple(
                                0,
                                RejectReason.CHANNEL_CONFLICT,
                                "channel 'main' holds active_power (instant), not voltage (instant)"),
                        tuple(
                                1,
                                RejectReason.CHANNEL_CONFLICT,
                                "channel 'main' holds active_power (instant), not energy_import (cumulative)"));
        assertThat(out.readings()).containsExactly(new Reading(main.id(), T, 200, Quality.GOOD));
        assertThat(registry.channel(main.id())).contains(main);
    }

    @Test
    void twoQuantitiesForOneNewChannelInOneUpload_theFirstCreatesIt_andTheOtherIsAConflict() {
        // GIVEN a new device that sends voltage, then power, to one new channel "x" in one upload
        Upload upload = upload("meter-2", raw("x", "voltage", "V", 231, T), raw("x", "active_power", "W", 40, T));

        // WHEN it is normalized
        Normalized out = normalize(upload);

        // THEN "x" is created for the voltage, which is stored; the power is refused
        Channel x = channel("meter-2", "x");
        assertThat(x.quantity()).isEqualTo(Quantity.VOLTAGE);
        assertThat(out.readings()).containsExactly(new Reading(x.id(), T, 231, Quality.GOOD));
        assertThat(out.rejections())
                .containsExactly(new Rejection(
                        "meter-2",
                        1,
                        RejectReason.CHANNEL_CONFLICT,
                        "channel 'x' holds voltage (instant), not active_power (instant)"));
    }

    @Test
    void anUnknownDevice_isRefused_orHeldForApproval_whenTheSettingsSaySo() {
        // GIVEN settings that refuse unknown devices, and settings that hold them for approval
        Normalizer rejecting =
                new Normalizer(registry, IngestSettings.defaults().withAutoRegisterDevices(false));
        Normalizer holding = new Normalizer(
                registry, IngestSettings.defaults().withUnknownDevices(IngestSettings.UnknownDevices.HOLD));
        Upload fromA = upload("plug-a", raw("power", "active_power", "W", 1, T), raw("v", "voltage", "V", 230, T));
        Upload fromB = upload("plug-b", raw("power", "active_power", "W", 1, T));

        // WHEN unknown devices send readings
        Normalized refused = rejecting.normalize(customer.id(), "mqtt:test", fromA);
        Normalized held = holding.normalize(customer.id(), "mqtt:test", fromB);

        // THEN every reading is refused, no device is registered, and the held one waits for approval
        assertThat(refused.readings()).isEmpty();
        assertThat(refused.rejections())
                .containsExactly(
                        new Rejection("plug-a", 0, RejectReason.UNKNOWN_DEVICE, "unknown device 'plug-a'"),
                        new Rejection("plug-a", 1, RejectReason.UNKNOWN_DEVICE, "unknown device 'plug-a'"));
        assertThat(held.readings()).isEmpty();
        assertThat(held.rejections())
                .containsExactly(new Rejection(
                        "plug-b",
                        0,
                        RejectReason.DEVICE_PENDING_APPROVAL,
                        "device 'plug-b' waits for approval (POST /api/v1/devices/plug-b/approve)"));
        assertThat(registry.devices(customer.id())).isEmpty();
        assertThat(registry.pending(customer.id()))
                .extracting(Registry.PendingDevice::ref)
                .containsExactly("plug-b");
    }

    @Test
    void everyRefusalIsQuarantinedWithTheNodeAndReading_andTheSourceIsDescribedOnce() {
        // GIVEN a gateway's upload of two nodes, with one bad reading each among good ones
        Upload upload = new Upload(
                "gw-1",
                List.of(
                        new NodeReport(
                                "plug-1",
                                null,
                                "smart_plug",
                                null,
                                List.of(
                                        raw("power", "active_power", "W", 10, T),
                                        raw("voltage", "voltage", "V", 1200, T))),
                        new NodeReport(
                                "plug-2",
                                null,
                                "smart_plug",
                                null,
                                List.of(raw("t", "temperature", "Cel", 21.5, T), raw(null, "bogus", "W", 1, T)))));
        AtomicInteger described = new AtomicInteger();

        // WHEN it is normalized
        Normalized out = normalizer.normalize(
                customer.id(),
                () -> {
                    described.incrementAndGet();
                    return "mqtt:gw-1";
                },
                upload);

        // THEN the good readings are stored, and each bad one is quarantined with its reason, the node and the
        // reading as sent, at the time of normalizing, the source asked for once
        assertThat(out.readings()).extracting(Reading::value).containsExactly(10.0, 21.5);
        assertThat(out.rejections())
                .extracting(Rejection::node, Rejection::index, Rejection::reason)
                .containsExactly(
                        tuple("plug-1", 1, RejectReason.OUT_OF_RANGE),
                        tuple("plug-2", 1, RejectReason.UNKNOWN_QUANTITY));
        assertThat(out.quarantine())
                .containsExactly(
                        new QuarantineEntry(
                                NOW,
                                "mqtt:gw-1",
                                customer.id(),
                                "out_of_range",
                                "voltage 1200.0 V is outside [0.0, 1000.0]",
                                "plug-1 {\"channel\":\"voltage\",\"quantity\":\"voltage\",\"unit\":\"V\","
                                        + "\"value\":1200.0,\"ts\":" + T + "}"),
                        new QuarantineEntry(
                                NOW,
                                "mqtt:gw-1",
                                customer.id(),
                                "unknown_quantity",
                                "unknown quantity 'bogus'",
                                "plug-2 {\"channel\":\"bogus\",\"quantity\":\"bogus\",\"unit\":\"W\","
                                        + "\"value\":1.0,\"ts\":" + T + "}"));
        assertThat(described).hasValue(1);
    }

    @Test
    void anUploadWithNothingRefused_quarantinesNothing_andNeverDescribesItsSource() {
        AtomicInteger described = new AtomicInteger();

        Normalized out = normalizer.normalize(
                customer.id(),
                () -> {
                    described.incrementAndGet();
                    return "mqtt:test";
                },
                upload("plug-1", raw("power", "active_power", "W", 10, T)));

        assertThat(out.readings()).hasSize(1);
        assertThat(out.rejections()).isEmpty();
        assertThat(out.quarantine()).isEmpty();
        assertThat(described).hasValue(0);
    }
}
