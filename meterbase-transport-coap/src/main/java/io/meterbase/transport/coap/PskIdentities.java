package io.meterbase.transport.coap;

import io.meterbase.core.auth.DevicePsk;
import io.meterbase.core.ingest.Origin;
import io.meterbase.core.model.ApiKey;
import io.meterbase.core.model.KeyScope;
import io.meterbase.core.model.Role;
import io.meterbase.core.registry.Registry;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * What a DTLS PSK identity may do, asked at each handshake and again at each request (so that a key revoked while
 * its DTLS session lasts is refused at once):
 * <ul>
 *   <li>{@code k<key id>}: a working device or gateway key of a customer; uploads within that key's scope;
 *   <li>{@code c<customer>:<device>}: an existing customer, when {@code customerPsk} allows that older kind; uploads
 *       like the customer's own key, the device being the one named.
 * </ul>
 */
final class PskIdentities {

    /**
     * A sender a PSK identity authenticated.
     *
     * @param customerId whose it is
     * @param credential the credential as quarantine entries and limits name it ({@code key/12}, {@code psk/c3:plug})
     * @param scope what it may upload for, with {@code target}
     * @param sender the device or gateway whose commands the answer carries, and the device of a payload naming none
     * @param identity the PSK identity, which the DTLS key is derived from
     */
    record Sender(
            long customerId,
            String credential,
            KeyScope scope,
            @Nullable String target,
            String sender,
            String identity) {

        Origin origin(Origin anonymous) {
            return anonymous.authenticated(customerId, credential).scoped(scope, target);
        }
    }

    private final Registry registry;
    private final DevicePsk psk;
    private final boolean customerPsk;

    PskIdentities(Registry registry, DevicePsk psk, boolean customerPsk) {
        this.registry = registry;
        this.psk = psk;
        this.customerPsk = customerPsk;
    }

    /** The sender an identity names, when it may upload now. */
    Optional<Sender> resolve(@Nullable String identity) {
        OptionalLong keyId = DevicePsk.parseKeyIdentity(identity);
        if (keyId.isPresent()) {
            return registry.workingKey(keyId.getAsLong())
                    .filter(k -> k.role() == Role.CUSTOMER && k.scope().uploadsOnly())
                    .map(PskIdentities::keySender);
        }
        if (!customerPsk) {
            return Optional.empty();
        }
        return DevicePsk.parse(identity)
                .filter(i -> registry.customer(i.customerId()).isPresent())
                .map(i -> new Sender(
                        i.customerId(), "psk/" + i.text(), KeyScope.CUSTOMER, null, i.deviceRef(), i.text()));
    }

    /** The DTLS key (32 hex characters) of a sender. */
    String key(Sender sender) {
        return psk.derive(sender.identity());
    }

    private static Sender keySender(ApiKey k) {
        String target = Objects.requireNonNull(k.target(), "device and gateway keys name their node");
        return new Sender(k.customerId(), "key/" + k.id(), k.scope(), target, target, DevicePsk.keyIdentity(k.id()));
    }
}
