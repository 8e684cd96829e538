package io.meterbase.core.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterbase.core.energy.ChannelInfo;
import io.meterbase.core.energy.EnergyRules;
import io.meterbase.core.energy.RollupTracker;
import io.meterbase.core.model.Channel;
import io.meterbase.core.model.Customer;
import io.meterbase.core.model.Device;
import io.meterbase.core.model.Reading;
import io.meterbase.core.registry.Registry;
import io.meterbase.core.store.QuarantineEntry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The intake every transport uses, over the in-memory stores: what it stores, refuses, records and hands on, and
 * that nothing is acknowledged unless it is durable. No database; each test takes milliseconds.
 */
class IntakeTest {

    private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");

    /** {@code channel=watts} lines of one device, named by the transport; on {@code kv/<device>/up} or as text/plain. */
    private static final PayloadDecoder KV = new PayloadDecoder() {
        @Override
        public String format() {
            return "kv";
        }

        @Override
        public List<String> topics() {
            return List.of("kv/{device}/up");
        }

        @Override
        public List<String> mediaTypes() {
            return List.of("text/plain");
        }

        @Override
        public Upload decode(byte[] payload, DecodeContext context) throws DecodeException {
            List<RawReading> readings = new ArrayList<>();
            for (String line : new String(payload, StandardCharsets.UTF_8).split("\n")) {
                String[] kv = line.split("=");
                if (kv.length != 2) {
                    throw new DecodeException("line '" + line + "' is not channel=watts");
                }
                try {
                    readings.add(new RawReading(
                            kv[0], "active_power", "W", Double.parseDouble(kv[1]), context.receivedAt(), null));
                } catch (NumberFormatException e) {
                    throw new DecodeException("'" + kv[1] + "' is not a number");
                }
            }
            return new Upload(null, List.of(new NodeReport(context.deviceRef(), null, "smart_plug", null, readings)));
        }
    };

    /** A device's answer to a command: the command id as the whole payload, on {@code kv/<device>/ack}. */
    private static final MessageDecoder ACK = new MessageDecoder() {
        @Override
        public String format() {
            return "kv-ack";
        }

        @Override
        public List<String> topics() {
            return List.of("kv/{device}/ack");
        }

        @Override
        public DeviceMessage decode(byte[] payload, DecodeContext context) {
            return new DeviceMessage.CommandReport(
                    new String(payload, StandardCharsets.UTF_8),
                    DeviceMessage.CommandOutcome.DONE,
                    null,
                    DeviceMessage.Relay.ON);
        }
    };

    /** A format whose decoder breaks its contract and throws. */
    private static final MessageDecoder BROKEN = new MessageDecoder() {
        @Override
        public String format() {
            return "broken";
        }

        @Override
        public DeviceMessage decode(byte[] payload, DecodeContext context) {
            throw new IllegalStateException("a bug");
        }
    };

    /** What the intake handed on, in order. */
    private final List<String> reported = new ArrayList<>();

    private final DeviceReports reports = new DeviceReports() {
        @Override
        public void connection(long customerId, String deviceRef, boolean online, Instant at) {
            reported.add("connection " + deviceRef + " " + online);
        }

        @Override
        public void event(long customerId, String deviceRef, String type, boolean on, Instant at, String detail) {
            reported.add("event " + deviceRef + " " + type + " " + on);
        }

        @Override
        public void relayState(long customerId, String deviceRef, boolean on, String source) {
            reported.add("relay " + deviceRef + " " + on);
        }

        @Override
        public boolean commandReport(long customerId, DeviceMessage.CommandReport report) {
            reported.add("command " + report.commandId() + " " + report.outcome() + " " + report.relay());
            return report.commandId().equals("c-1");
        }
    };

    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    private final MemoryReadingStore readings = new MemoryReadingStore();
    private final MemoryMetadataStore metadata = new MemoryMetadataStore();
    private final Registry registry = new Registry(metadata, clock);
    private final Customer customer = registry.createCustomer("Ana", "Home", null, null, "north", ZoneId.of("UTC"));
    private final DurableWriter writer = new DurableWriter(
                    readings,
                    new RollupTracker(readings, channels(registry), new EnergyRules(15 * 60_000)),
                    r -> {},
                    IngestMetrics.NONE,
                    new DurableWriter.Settings(
                            1_000_000, 200_000, Duration.ofMillis(5), Duration.ofSeconds(2), Duration.ofSeconds(5)),
                    clock)
            .start();
    private final Intake intake = new Intake(
            new IngestService(new Normalizer(registry, IngestSettings.defaults()), writer, IngestMetrics.NONE, clock),
            new FormatRegistry().register(KV).register(ACK).register(BROKEN),
            reports,
            clock);
    private final Origin sender = Origin.local(customer.id(), "test");

    @AfterEach
    void stop() {
        readings.release();
        writer.close();
    }

    private static ChannelInfo channels(Registry registry) {
        return new ChannelInfo() {
            @Override
            public Optional<Channel> channel(int channelId) {
                return registry.channel(channelId);
            }

            @Override
            public ZoneId zone(int channelId) {
                return ZoneOffset.UTC;
            }
        };
    }

    private IntakeResult submit(Via via, String payload, Map<String, String> fields) throws Exception {
        return intake.submit(sender, via, payload.getBytes(StandardCharsets.UTF_8), fields)
                .get(10, TimeUnit.SECONDS);
    }

    private List<Reading> stored(String device, String channel) {
        long deviceId = registry.device(customer.id(), device).orElseThrow().id();
        Channel c = registry.channels(deviceId).stream()
                .filter(ch -> ch.name().equals(channel))
                .findFirst()
                .orElseThrow();
        return readings.readings(c.id(), 0, Long.MAX_VALUE, 100);
    }

    @Test
    void aPayloadByFormatName_isStoredForTheNamedDevice_andReportedOnceDurable() throws Exception {
        IntakeResult result = submit(Via.format("kv"), "power=85.5\nheater=1200", Intake.device("plug-1"));

        assertThat(result).isInstanceOf(IntakeResult.Stored.class);
        IntakeResult.Stored stored = (IntakeResult.Stored) result;
        assertThat(stored.report().accepted()).isEqualTo(2);
        assertThat(stored.sender()).contains("plug-1");
        assertThat(stored("plug-1", "power"))
                .extracting(Reading::timestamp, Reading::value)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(NOW.toEpochMilli(), 85.5));
    }

    @Test
    void aDeviceAnotherNodeRegisteredAtTheSameMoment_isTakenFromIt_andTheReadingsStoredForIt() throws Exception {
        metadata.anotherNodeRegistersFirst();

        IntakeResult result = submit(Via.format("kv"), "power=85.5\nheater=1200", Intake.device("plug-9"));

        // the intake asked again, found the other node's device, and gave it the channels
        assertThat(result).isInstanceOf(IntakeResult.Stored.class);
        assertThat(((IntakeResult.Stored) result).report().accepted()).isEqualTo(2);
        Device device = registry.device(customer.id(), "plug-9").orElseThrow();
        assertThat(device.id()).isGreaterThan(1_000_000);
        assertThat(metadata.devices()).filteredOn(d -> d.ref().equals("plug-9")).containsExactly(device);
        assertThat(stored("plug-9", "power")).extracting(Reading::value).containsExactly(85.5);
    }

    @Test
    void aTopic_findsItsFormatAndNamesTheDevice() throws Exception {
        IntakeResult result = submit(Via.topic("kv/plug-2/up"), "power=7", Map.of());

        assertThat(result).isInstanceOf(IntakeResult.Stored.class);
        assertThat(stored("plug-2", "power")).extracting(Reading::value).containsExactly(7.0);
    }

    @Test
    void aMediaType_findsItsFormat() throws Exception {
        IntakeResult result = submit(Via.mediaType("text/plain; charset=utf-8"), "power=9", Intake.device("plug-3"));

        assertThat(result).isInstanceOf(IntakeResult.Stored.class);
        assertThat(stored("plug-3", "power")).extracting(Reading::value).containsExactly(9.0);
    }

    @Test
    void sendingTheSameReadingsAgain_storesThemOnce_andCountsTheDuplicates() throws Exception {
        submit(Via.format("kv"), "power=1", Intake.device("plug-4"));

        IntakeResult again = submit(Via.format("kv"), "power=1", Intake.device("plug-4"));

        assertThat(((IntakeResult.Stored) again).report().duplicates()).isEqualTo(1);
        assertThat(stored("plug-4", "power")).hasSize(1);
    }

    @Test
    void anUnknownFormat_isRefusedWithTheKnownOnes_andQuarantined() throws Exception {
        IntakeResult result = submit(Via.format("nope"), "power=1", Map.of());

        assertThat(result).isInstanceOf(IntakeResult.Refused.class);
        IntakeResult.Refused refused = (IntakeResult.Refused) result;
        assertThat(refused.reason()).isEqualTo(RejectReason.UNKNOWN_FORMAT);
        assertThat(refused.detail()).contains("nope").contains("kv");
        assertThat(readings.quarantined("unknown_format", 10)).singleElement().satisfies(q -> assertThat(q.payload())
                .isEqualTo("power=1"));
    }

    @Test
    void aTopicNoFormatKnows_isRefusedAsUnknownFormat() throws Exception {
        IntakeResult result = submit(Via.topic("other/plug/up"), "x", Map.of());

        assertThat(result)
                .isEqualTo(
                        new IntakeResult.Refused(RejectReason.UNKNOWN_FORMAT, "no topic scheme knows other/plug/up"));
    }

    @Test
    void aMalformedPayload_isRefusedWithTheDecodersReason_andOnlyItsHeadIsKept() throws Exception {
        String huge = "power=" + "9".repeat(QuarantineEntry.MAX_PAYLOAD_CHARS) + "x";

        IntakeResult result = submit(Via.format("kv"), huge, Intake.device("plug-5"));

        assertThat(result).isInstanceOf(IntakeResult.Refused.class);
        assertThat(((IntakeResult.Refused) result).reason()).isEqualTo(RejectReason.MALFORMED_PAYLOAD);
        assertThat(((IntakeResult.Refused) result).detail()).contains("is not a number");
        assertThat(readings.quarantined("malformed_payload", 10))
                .singleElement()
                .satisfies(q -> assertThat(q.payload()).hasSize(QuarantineEntry.MAX_PAYLOAD_CHARS));
        assertThat(registry.device(customer.id(), "plug-5")).isEmpty();
    }

    @Test
    void whenTheStoreFails_nothingIsAcknowledged() throws Exception {
        readings.fault(MemoryReadingStore.Fault.FAIL);

        IntakeResult result = submit(Via.format("kv"), "power=1", Intake.device("plug-6"));

        assertThat(result).isInstanceOf(IntakeResult.NotStored.class);
        assertThat(((IntakeResult.NotStored) result).rateLimited()).isFalse();
        assertThat(((IntakeResult.NotStored) result).retryAfterSeconds()).isPositive();
    }

    @Test
    void aDecoderThatThrows_isNotStored_neverAcknowledged() throws Exception {
        IntakeResult result = submit(Via.format("broken"), "x", Map.of());

        assertThat(result).isInstanceOf(IntakeResult.NotStored.class);
        // the sender learns that it was not stored, not the server's classes (the log has them)
        assertThat(((IntakeResult.NotStored) result).reason())
                .contains("the server failed")
                .doesNotContain("Exception", "a bug");
    }

    @Test
    void anAnswerToACommand_isHandedOn_andSaysWhetherTheCommandIsKnown() throws Exception {
        IntakeResult known = submit(Via.topic("kv/plug-7/ack"), "c-1", Map.of());
        IntakeResult unknown = submit(Via.topic("kv/plug-7/ack"), "c-2", Map.of());

        assertThat(known).isEqualTo(new IntakeResult.Taken(true));
        assertThat(unknown).isEqualTo(new IntakeResult.Taken(false));
        assertThat(reported).containsExactly("command c-1 DONE ON", "command c-2 DONE ON");
    }

    @Test
    void aSenderThatIsNotAuthenticated_isRefusedAndRecorded_withoutItsPayloadWhenNoneIsRead() throws Exception {
        Origin stranger = Origin.anonymous("test", "192.0.2.1", "probe");

        IntakeResult result = intake.refuseUnauthenticated(stranger, RejectReason.UNAUTHORIZED, "no key", () -> null)
                .get(10, TimeUnit.SECONDS);

        assertThat(result).isEqualTo(new IntakeResult.Refused(RejectReason.UNAUTHORIZED, "no key"));
        assertThat(readings.quarantined("unauthorized", 10)).singleElement().satisfies(q -> assertThat(q.payload())
                .isNull());
    }
}
