package io.meterbase.transport.coap;

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
 * The DTLS key store: for an identity that may upload now ({@link PskIdentities}: a working device or gateway key, or
 * an existing customer's older identity) it derives the key ({@link io.meterbase.core.auth.DevicePsk}), hands it to
 * Scandium's own store and lets that do the handshake's key computation. Other identities get no key (and a key
 * handed out before is taken back), so their handshake fails.
 */
final class DerivedPskStore implements AdvancedPskStore {

    private final PskIdentities identities;
    private final AdvancedMultiPskStore keys = new AdvancedMultiPskStore();

    DerivedPskStore(PskIdentities identities) {
        this.identities = identities;
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
        Optional<PskIdentities.Sender> sender = identities.resolve(identity.getPublicInfoAsString());
        if (sender.isPresent()) {
            keys.setKey(identity, identities.key(sender.get()).getBytes(StandardCharsets.US_ASCII));
        } else {
            keys.removeKey(identity);
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
