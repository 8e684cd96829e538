package io.meterbase.services.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterbase.core.auth.CommandSignature;
import io.meterbase.core.store.DocumentStore;
import io.meterbase.core.store.memory.MemoryStore;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Nodes sharing a store sign commands with one key, the first node's, whatever their own data directories hold. */
class SharedSigningKeyTest {

    @TempDir
    Path dir;

    @Test
    void twoNodes_signWithTheFirstNodesKey_soAGatewayVerifiesEitherNodesCommands() throws Exception {
        DocumentStore shared = MemoryStore.open().documents();
        CommandSigner first = CommandSigner.inFile(dir.resolve("a/command-signing.key"));

        CommandSigner one = CommandSigner.shared(shared, dir.resolve("a/command-signing.key"));
        CommandSigner two = CommandSigner.shared(shared, dir.resolve("b/command-signing.key"));

        assertThat(one.publicKeyPem()).isEqualTo(first.publicKeyPem()); // an existing node keeps its key
        assertThat(two.publicKeyPem()).isEqualTo(one.publicKeyPem());
        String signed = two.sign("relay_off plug-1");
        assertThat(CommandSignature.verify(one.publicKey(), "relay_off plug-1", signed))
                .isTrue();
    }
}
