package io.meterbase.core.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterbase.core.auth.AuthResult;
import io.meterbase.core.model.Accumulation;
import io.meterbase.core.model.Category;
import io.meterbase.core.model.Channel;
import io.meterbase.core.model.Customer;
import io.meterbase.core.model.Device;
import io.meterbase.core.model.DeviceType;
import io.meterbase.core.model.Quantity;
import io.meterbase.core.model.Role;
import io.meterbase.core.store.MetadataStore;
import io.meterbase.core.store.memory.MemoryStore;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The registry of customers, devices, channels and keys, over the store in memory. */
class RegistryTest {

    private final Clock clock = Clock.fixed(Instant.parse("2026-11-20T10:00:00Z"), ZoneOffset.UTC);
    private final MetadataStore store = MemoryStore.open().metadata();
    private final Registry registry = new Registry(store, clock);
    private final Customer ana = registry.createCustomer("Ana", "Home", null, null, "north", ZoneId.of("UTC"));
    private final Customer ben = registry.createCustomer("Ben", "Flat", null, null, "north", ZoneId.of("UTC"));

    private Device device(Customer customer, String ref) {
        return registry.registerDevice(
                customer.id(),
                registry.defaultSite(customer.id()).id(),
                0,
                ref,
                ref,
                DeviceType.SMART_PLUG,
                Category.FRIDGE);
    }

    @Test
    void aRegistryStartedAgainOnItsStore_knowsEverything_andGivesNewIdsAfterTheOldOnes() {
        // GIVEN a device with a channel and a key, registered before a restart
        Device plug = device(ana, "plug-1");
        Channel power = registry.channelOrCreate(plug.id(), "power", Quantity.ACTIVE_POWER, Accumulation.INSTANT);
        Registry.CreatedKey key = registry.createKey(ana.id(), Role.CUSTOMER, "app");

        // WHEN a new registry starts on the same store
        Registry again = new Registry(store, clock);

        // THEN it finds them all, accepts the key, and a new device gets an id no one has
        assertThat(again.device(ana.id(), "plug-1")).contains(plug);
        assertThat(again.channel(plug.id(), "power")).contains(power);
        assertThat(again.authenticate(key.secret())).isInstanceOf(AuthResult.Accepted.class);
        Device next = again.registerDevice(
                ana.id(), again.defaultSite(ana.id()).id(), 0, "plug-2", "", DeviceType.SMART_PLUG, Category.OTHER);
        assertThat(next.id())
                .isGreaterThan(plug.id())
                .isGreaterThan(power.id())
                .isGreaterThan(key.key().id());
    }

    @Test
    void theSameRefOfTwoCustomers_isTwoDevices_andTheSameRefAgain_isTheSameDevice() {
        // GIVEN Ana's plug-1
        Device anas = device(ana, "plug-1");

        // WHEN Ben registers a plug-1 and Ana's plug-1 reports again
        Device bens = device(ben, "plug-1");
        List<Device> again = registry.devicesOrRegister(
                ana.id(),
                registry.defaultSite(ana.id()).id(),
                0,
                List.of(new Registry.NewDevice("plug-1", null, DeviceType.SMART_PLUG, Category.OTHER)));

        // THEN Ben's is another device, and Ana's is found, not registered twice
        assertThat(bens.id()).isNotEqualTo(anas.id());
        assertThat(again).containsExactly(anas);
        assertThat(store.devices()).hasSize(2);
    }

    @Test
    void aChannelAskedForTwice_isCreatedOnce() {
        Device meter = device(ana, "meter");

        Channel first = registry.channelOrCreate(meter.id(), "energy", Quantity.ENERGY_IMPORT, Accumulation.CUMULATIVE);
        Channel second =
                registry.channelOrCreate(meter.id(), "energy", Quantity.ENERGY_IMPORT, Accumulation.CUMULATIVE);

        assertThat(second).isEqualTo(first);
        assertThat(store.channels()).containsExactly(first);
    }

    @Test
    void aRevokedKey_isRefusedAsRevoked_alsoAfterARestart_whileAnUnknownOneIsRefusedAsUnknown() {
        // GIVEN a key, revoked
        Registry.CreatedKey key = registry.createKey(ana.id(), Role.CUSTOMER, "old phone");
        registry.revokeKey(key.key().id());

        // WHEN it is presented, before and after a restart, and so is a key never made
        AuthResult now = registry.authenticate(key.secret());
        AuthResult afterRestart = new Registry(store, clock).authenticate(key.secret());
        AuthResult unknown = registry.authenticate("mbk_never_made");

        // THEN the revoked one is refused as revoked (a new key would help), the unknown one as unknown
        assertThat(now).isEqualTo(AuthResult.revoked("API key revoked"));
        assertThat(afterRestart).isEqualTo(AuthResult.revoked("API key revoked"));
        assertThat(unknown).isEqualTo(AuthResult.refused("unknown API key"));
    }

    @Test
    void aDeviceHeldForApproval_isNotRegistered_untilApproved_thenBehindItsGateway() {
        // GIVEN a device that reported through a gateway while approval is required
        registry.holdForApproval(ana.id(), "heat-1", "Heat pump", DeviceType.SMART_PLUG, Category.HEATING, "gw-1");
        assertThat(registry.device(ana.id(), "heat-1")).isEmpty();
        assertThat(registry.pending(ana.id()))
                .extracting(Registry.PendingDevice::ref)
                .containsExactly("heat-1");

        // WHEN its owner approves it
        Device approved = registry.approve(ana.id(), "heat-1").orElseThrow();

        // THEN it is registered behind its gateway, with what it first said, and no longer pending
        assertThat(approved.gatewayId())
                .isEqualTo(registry.gateway(ana.id(), "gw-1").orElseThrow().id());
        assertThat(approved.name()).isEqualTo("Heat pump");
        assertThat(approved.category()).isEqualTo(Category.HEATING);
        assertThat(registry.pending(ana.id())).isEmpty();
        assertThat(registry.approve(ana.id(), "heat-1")).isEmpty();
        assertThat(store.devices()).contains(approved);
    }

    @Test
    void aDeviceHeldOnOneNode_isListedAndApprovedOnAnother_andSurvivesARestart() {
        // GIVEN two nodes on one store, each with its registry
        MemoryStore shared = MemoryStore.open();
        Registry one = new Registry(shared.metadata(), shared.documents(), clock);
        long customer = one.createCustomer("Cy", "Home", null, null, "north", ZoneId.of("UTC"))
                .id();
        Registry two = new Registry(shared.metadata(), shared.documents(), clock);

        // WHEN a device that needs approval reports to node 1, twice, and node 1 restarts
        one.holdForApproval(customer, "boiler", "Boiler", DeviceType.GAS_METER, Category.HEATING, null);
        one.holdForApproval(customer, "boiler", "Renamed", DeviceType.GAS_METER, Category.HEATING, null);
        Registry restarted = new Registry(shared.metadata(), shared.documents(), clock);

        // THEN node 2 and the restarted node list it once, with what it first said
        assertThat(two.pending(customer)).singleElement().satisfies(p -> {
            assertThat(p.name()).isEqualTo("Boiler");
            assertThat(p.type()).isEqualTo(DeviceType.GAS_METER);
            assertThat(p.category()).isEqualTo(Category.HEATING);
            assertThat(p.firstSeen()).isEqualTo(clock.instant());
        });
        assertThat(restarted.pending(0)).extracting(Registry.PendingDevice::ref).containsExactly("boiler");

        // WHEN node 2 approves it
        Device approved = two.approve(customer, "boiler").orElseThrow();

        // THEN it is held nowhere any more, and approving it again on node 1 finds nothing to approve
        assertThat(approved.name()).isEqualTo("Boiler");
        assertThat(one.pending(customer)).isEmpty();
        assertThat(one.approve(customer, "boiler")).isEmpty();
    }
}
