package io.meterbase.transport.coap;

import io.meterbase.core.auth.DevicePsk;
import io.meterbase.core.registry.Registry;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import javax.crypto.SecretKey;
import org.eclipse.californium.scandium.dtls.ConnectionId;
import org.eclipse.californium.scandium.dtls.HandshakeResultHandler;
import org.eclipse.californium.scandium.dtls.PskPublicInformation;
import org.eclipse.californium.scandium.dtls.PskSecretResult;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedMultiPskStore;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedPskStore;
import org.eclipse.californium.scandium.util.ServerNames;
import org.jspecify.annotations.Nullable;

/**
 * The DTLS key store: for an identity of an existing customer it derives the device's key ({@link DevicePsk}),
 * hands it to Scandium's own store and lets that do the handshake's key computation. Unknown identities get no
 * key, so their handshake fails.
 */
final class DerivedPskStore implements AdvancedPskStore {

    private final DevicePsk psk;
    private final Registry registry;
    private final AdvancedMultiPskStore keys = new AdvancedMultiPskStore();

    DerivedPskStore(DevicePsk psk, Registry registry) {
        this.psk = psk;
        this.registry = registry;
    }

    @Override
    public boolean hasEcdhePskSupported() {
        return true;
    }

    @Override
    public PskSecretResult requestPskSecretResult(
            ConnectionId cid,
            ServerNames serverNames,
            PskPublicInformation identity,
            String hmacAlgorithm,
            SecretKey otherSecret,
            byte[] seed,
            boolean useExtendedMasterSecret) {
        Optional<DevicePsk.Identity> id = DevicePsk.parse(identity.getPublicInfoAsString())
                .filter(i -> registry.customer(i.customerId()).isPresent());
        if (id.isPresent()) {
            keys.setKey(identity, psk.key(id.get()).getBytes(StandardCharsets.US_ASCII));
        }
        return keys.requestPskSecretResult(
                cid, serverNames, identity, hmacAlgorithm, otherSecret, seed, useExtendedMasterSecret);
    }

    @Override
    public @Nullable PskPublicInformation getIdentity(InetSocketAddress peer, ServerNames serverNames) {
        return null; // the server never starts handshakes
    }

    @Override
    public void setResultHandler(HandshakeResultHandler handler) {
        keys.setResultHandler(handler);
    }
}
