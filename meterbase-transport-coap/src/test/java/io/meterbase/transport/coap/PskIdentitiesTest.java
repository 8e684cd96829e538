package io.meterbase.transport.coap;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterbase.core.auth.DevicePsk;
import io.meterbase.core.model.Customer;
import io.meterbase.core.model.KeyScope;
import io.meterbase.core.registry.Registry;
import io.meterbase.core.store.memory.MemoryStore;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** What each PSK identity may do: the keys' identities with their scope and life, the older kind when allowed. */
class PskIdentitiesTest {

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-01T10:00:00Z"));
    private final java.time.Clock clock = new java.time.Clock() {
        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public java.time.Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    };
    private final MemoryStore store = MemoryStore.open();
    private final Registry registry = new Registry(store.metadata(), store.documents(), clock);
    private final DevicePsk psk = new DevicePsk(new byte[32]);
    private final Customer ana = registry.createCustomer("Ana", "Flat", null, null, "north", ZoneId.of("UTC"));

    @Test
    void aDeviceKeysIdentity_uploadsForItsDevice_untilTheKeyIsRevoked() {
        Registry.CreatedKey key = registry.createKey(ana.id(), KeyScope.DEVICE, "plug-1", "plug", false);
        PskIdentities identities = new PskIdentities(registry, psk, true);
        String identity = "k" + key.key().id();

        PskIdentities.Sender sender = identities.resolve(identity).orElseThrow();

        assertThat(sender.customerId()).isEqualTo(ana.id());
        assertThat(sender.scope()).isEqualTo(KeyScope.DEVICE);
        assertThat(sender.sender()).isEqualTo("plug-1");
        assertThat(sender.credential()).isEqualTo("key/" + key.key().id());
        assertThat(identities.key(sender))
                .isEqualTo(psk.keyOfApiKey(key.key().id()))
                .hasSize(32);
        assertThat(sender.origin(io.meterbase.core.ingest.Origin.anonymous("coap", "127.0.0.1", "/up"))
                        .onlyDevice())
                .isEqualTo("plug-1");

        registry.revokeKey(key.key().id());
        assertThat(identities.resolve(identity)).isEmpty();
    }

    @Test
    void aRotatedKeysIdentity_worksForTheOverlapOnly_andTheNewKeyHasItsOwn() {
        Registry.CreatedKey old = registry.createKey(ana.id(), KeyScope.GATEWAY, "gw-1", "gateway", false);
        Registry.CreatedKey fresh =
                registry.rotateKey(old.key().id(), Duration.ofHours(1)).orElseThrow();
        PskIdentities identities = new PskIdentities(registry, psk, true);

        assertThat(identities.resolve("k" + old.key().id())).isPresent();
        assertThat(identities.resolve("k" + fresh.key().id()).orElseThrow().scope())
                .isEqualTo(KeyScope.GATEWAY);
        assertThat(psk.keyOfApiKey(fresh.key().id()))
                .isNotEqualTo(psk.keyOfApiKey(old.key().id()));

        now.set(now.get().plus(Duration.ofHours(1)));
        assertThat(identities.resolve("k" + old.key().id())).isEmpty();
        assertThat(identities.resolve("k" + fresh.key().id())).isPresent();
    }

    @Test
    void fullKeys_unknownKeys_andMalformedIdentities_haveNoPsk() {
        Registry.CreatedKey full = registry.createKey(ana.id(), KeyScope.CUSTOMER, null, "full", false);
        PskIdentities identities = new PskIdentities(registry, psk, true);

        assertThat(identities.resolve("k" + full.key().id())).isEmpty();
        assertThat(identities.resolve("k999999")).isEmpty();
        assertThat(identities.resolve("k0")).isEmpty();
        assertThat(identities.resolve("k-1")).isEmpty();
        assertThat(identities.resolve("")).isEmpty();
        assertThat(identities.resolve(null)).isEmpty();
        assertThat(identities.resolve("c" + (ana.id() + 1000) + ":plug")).isEmpty(); // no such customer
    }

    @Test
    void theOlderCustomerWideIdentity_worksUnlessTurnedOff() {
        String identity = "c" + ana.id() + ":heater";

        PskIdentities.Sender sender =
                new PskIdentities(registry, psk, true).resolve(identity).orElseThrow();
        assertThat(sender.scope()).isEqualTo(KeyScope.CUSTOMER);
        assertThat(sender.sender()).isEqualTo("heater");
        assertThat(new PskIdentities(registry, psk, true).key(sender))
                .isEqualTo(psk.key(new DevicePsk.Identity(ana.id(), "heater")));

        assertThat(new PskIdentities(registry, psk, false).resolve(identity)).isEmpty();
    }
}
