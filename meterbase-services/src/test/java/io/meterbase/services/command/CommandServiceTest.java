package io.meterbase.services.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meterbase.core.api.command.Command;
import io.meterbase.core.api.command.CommandStatus;
import io.meterbase.core.api.command.CommandType;
import io.meterbase.core.auth.CommandSignature;
import io.meterbase.core.device.CommandPush;
import io.meterbase.core.device.OutboundCommand;
import io.meterbase.core.model.Category;
import io.meterbase.core.model.Customer;
import io.meterbase.core.model.DeviceType;
import io.meterbase.core.registry.Registry;
import io.meterbase.core.store.memory.MemoryStore;
import io.meterbase.services.json.ControlJson;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandServiceTest {

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-21T10:00:00Z"));
    private MemoryStore store;
    private Registry registry;
    private long customer;
    private final CommandSigner signer = CommandSigner.ephemeral();

    @BeforeEach
    void open() {
        store = MemoryStore.open();
        registry = new Registry(store.metadata(), clock);
        Customer c = registry.createCustomer("Ana", null, null, null, "north", ZoneId.of("UTC"));
        customer = c.id();
        long site = registry.defaultSite(customer).id();
        long gw = registry.registerGateway(customer, site, "gw-1", "Hall", null, 0)
                .id();
        registry.registerDevice(customer, site, gw, "heater", "Heater", DeviceType.SMART_PLUG, Category.WATER_HEATER);
        registry.registerDevice(customer, site, 0, "meter", "Meter", DeviceType.ELECTRICITY_METER, Category.MAIN);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private CommandService service() {
        return new CommandService(
                registry, store.documents(), signer, clock, Duration.ofMinutes(10), Duration.ofDays(30));
    }

    private static CommandService.Request relayOff(long customer, String device) {
        return new CommandService.Request(customer, device, CommandType.RELAY_OFF, null, null, null, null);
    }

    @Test
    void aCommandToAnOfflineDeviceWaitsAndGoesOutWhenItReturns() {
        CommandService service = service();
        TestChannel mqtt = new TestChannel();
        service.addChannel(mqtt);

        Command c = service.submit(relayOff(customer, "heater"));
        assertThat(c.status()).isEqualTo(CommandStatus.QUEUED);
        assertThat(mqtt.offered).hasSize(1); // offered at once, refused: the device is not connected

        clock.advance(Duration.ofMinutes(3));
        mqtt.connected = true;
        service.tick();

        Command sent = service.get(customer, c.id()).orElseThrow();
        assertThat(sent.status()).isEqualTo(CommandStatus.SENT);
        assertThat(sent.via()).isEqualTo("test");
        assertThat(sent.sentAt()).isEqualTo(clock.instant());

        clock.advance(Duration.ofSeconds(2));
        service.relayConfirmed(customer, "heater", false, "stat/heater/POWER");
        Command done = service.get(customer, c.id()).orElseThrow();
        assertThat(done.status()).isEqualTo(CommandStatus.DONE);
        assertThat(done.finishedAt()).isEqualTo(clock.instant());
        assertThat(service.relay(customer, "heater"))
                .hasValueSatisfying(r -> assertThat(r.on()).isFalse());
    }

    @Test
    void aGatewayCollectsItsNodesCommandsWithItsUploadAndReportsThem() {
        CommandService service = service();
        Command c = service.submit(relayOff(customer, "heater"));

        assertThat(service.collect(customer, "other-gw", "http")).isEmpty();
        List<Command> handed = service.collect(customer, "gw-1", "http");
        assertThat(handed).extracting(Command::id).containsExactly(c.id());
        assertThat(handed.get(0).wire()).containsEntry("node", "heater").containsEntry("relay", "off");
        assertThat(service.collect(customer, "gw-1", "http")).isEmpty(); // handed over once

        service.report(customer, c.id(), CommandStatus.ACKNOWLEDGED, null, null);
        service.report(customer, c.id(), CommandStatus.DONE, null, false);
        Command done = service.get(customer, c.id()).orElseThrow();
        assertThat(done.status()).isEqualTo(CommandStatus.DONE);
        assertThat(done.acknowledgedAt()).isNotNull();
        // a late answer does not reopen it
        service.report(customer, c.id(), CommandStatus.FAILED, "late", null);
        assertThat(service.get(customer, c.id()).orElseThrow().status()).isEqualTo(CommandStatus.DONE);
    }

    @Test
    void commandsSurviveARestartAndExpireWhenNobodyTakesThem() {
        Command c = service().submit(relayOff(customer, "heater"));

        CommandService restarted = service();
        assertThat(restarted.get(customer, c.id()))
                .hasValueSatisfying(x -> assertThat(x.status()).isEqualTo(CommandStatus.QUEUED));

        clock.advance(Duration.ofMinutes(11));
        restarted.tick();
        Command expired = restarted.get(customer, c.id()).orElseThrow();
        assertThat(expired.status()).isEqualTo(CommandStatus.EXPIRED);
        assertThat(expired.detail()).contains("not reachable");
        assertThat(restarted.collect(customer, "gw-1", "http")).isEmpty();
    }

    @Test
    void aHeldBackCommandIsNotHandedOverBeforeItsTime() {
        CommandService service = service();
        service.submit(new CommandService.Request(
                customer,
                "heater",
                CommandType.RELAY_ON,
                null,
                "dr",
                null,
                clock.instant().plusSeconds(30)));

        assertThat(service.collect(customer, "gw-1", "http")).isEmpty();
        clock.advance(Duration.ofSeconds(30));
        assertThat(service.collect(customer, "gw-1", "http")).hasSize(1);
    }

    @Test
    void disconnectIsSignedOverItsFieldsAndATamperedCopyFailsVerification() {
        Command c = service()
                .submit(new CommandService.Request(
                        customer, "meter", CommandType.DISCONNECT, null, "operator", null, null));
        Map<String, Object> wire = c.wire();

        String text = CommandSignature.canonical(
                c.id(), "meter", "disconnect", (Long) wire.get("issued_at"), (Long) wire.get("expires_at"), (String)
                        wire.get("nonce"));
        assertThat(CommandSignature.verify(signer.publicKey(), text, c.signature()))
                .isTrue();
        String tampered = CommandSignature.canonical(
                c.id(), "meter", "connect", (Long) wire.get("issued_at"), (Long) wire.get("expires_at"), c.nonce());
        assertThat(CommandSignature.verify(signer.publicKey(), tampered, c.signature()))
                .isFalse();
        assertThat(CommandSignature.verify(CommandSignature.publicKey(signer.publicKeyPem()), text, c.signature()))
                .isTrue();
    }

    @Test
    void refusesUnknownDevicesAndBadParameters() {
        CommandService service = service();
        assertThatThrownBy(() -> service.submit(relayOff(customer, "nope"))).hasMessageContaining("no device");
        assertThatThrownBy(() -> service.submit(new CommandService.Request(
                        customer, "heater", CommandType.SET_INTERVAL, Map.of("seconds", 0), null, null, null)))
                .hasMessageContaining("seconds");
        assertThatThrownBy(() -> service.submit(new CommandService.Request(
                        customer,
                        "heater",
                        CommandType.REQUEST_READINGS,
                        Map.of("from", "yesterday"),
                        null,
                        null,
                        null)))
                .hasMessageContaining("ISO-8601");
    }

    @Test
    void theSigningKeyIsKeptAndReloaded() throws Exception {
        CommandSigner first = CommandSigner.inFile(dir.resolve("keys/command-signing.key"));
        CommandSigner again = CommandSigner.inFile(dir.resolve("keys/command-signing.key"));
        assertThat(again.publicKeyPem()).isEqualTo(first.publicKeyPem());
        assertThat(CommandSignature.verify(again.publicKey(), "x", first.sign("x")))
                .isTrue();
        assertThat(java.nio.file.Files.getPosixFilePermissions(dir.resolve("keys/command-signing.key")))
                .containsExactlyInAnyOrder(
                        java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
    }

    /** A channel on which the device is connected or not. */
    @Test
    void aDeliveryClaimedByAnotherNode_isLeftToIt_untilTheClaimIsStale() {
        CommandService service = service();
        Command c = service.submit(relayOff(customer, "heater")); // no channel yet: queued
        TestChannel mqtt = new TestChannel();
        mqtt.connected = true;
        service.addChannel(mqtt);

        // GIVEN another node claimed its delivery just now
        store.documents()
                .saveDocument(
                        "command-delivery",
                        c.id(),
                        ControlJson.write(new CommandService.DeliveryClaim("mqtt", clock.instant())));

        // THEN this node does not send it
        service.offerDue();
        assertThat(mqtt.offered).isEmpty();
        assertThat(service.get(c.id()).orElseThrow().status()).isEqualTo(CommandStatus.QUEUED);

        // WHEN that node never sent it (it died), and the claim is older than a send can take
        clock.advance(CommandService.CLAIM_STALE.plusSeconds(1));

        // THEN this node takes the claim over and sends it, once
        service.offerDue();
        service.offerDue();
        assertThat(mqtt.offered).hasSize(1);
        assertThat(service.get(c.id()).orElseThrow().status()).isEqualTo(CommandStatus.SENT);
    }

    @Test
    void twoNodesAnsweringOneGatewayAtOnce_handACommandOutOnce() {
        // GIVEN two nodes on one store, both knowing a command queued for a device behind gateway gw-1
        CommandService one = service();
        CommandService two = service();
        Command c = one.submit(relayOff(customer, "heater"));
        two.refresh(io.meterbase.core.store.StoreChanges.everything());
        assertThat(two.hasDue(customer, "gw-1")).isTrue();

        // WHEN the gateway's uploads reach both nodes and each answers with the commands due
        List<Command> fromOne = one.collect(customer, "gw-1", "http");
        List<Command> fromTwo = two.collect(customer, "gw-1", "http");

        // THEN only the first hands the command out
        assertThat(fromOne).extracting(Command::id).containsExactly(c.id());
        assertThat(fromTwo).isEmpty();
        two.refresh(io.meterbase.core.store.StoreChanges.everything());
        assertThat(two.get(c.id()).orElseThrow().status()).isEqualTo(CommandStatus.SENT);
    }

    private static final class TestChannel implements CommandPush {
        boolean connected;
        final List<OutboundCommand> offered = new ArrayList<>();

        @Override
        public String name() {
            return "test";
        }

        @Override
        public boolean offer(OutboundCommand command) {
            offered.add(command);
            return connected;
        }
    }

    /** A clock the test moves. */
    static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
