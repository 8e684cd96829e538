package io.meterbase.services.command;

import io.meterbase.core.auth.CommandSignature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * The server's command signing key (ECDSA P-256), created from the system's strong random source on first start
 * and kept in the data directory (the private key readable by its owner only, the public key beside it in
 * {@code <file>.pub}). Gateways are given the public key.
 */
public final class CommandSigner {

    private final PrivateKey privateKey;
    private final PublicKey publicKey;

    private CommandSigner(PrivateKey privateKey, PublicKey publicKey) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
    }

    /** Loads the key from {@code file}, creating it when absent. */
    public static CommandSigner inFile(Path file) throws IOException {
        try {
            Path pub = file.resolveSibling(file.getFileName() + ".pub");
            if (Files.exists(file)) {
                KeyFactory ec = KeyFactory.getInstance("EC");
                PrivateKey key = ec.generatePrivate(new PKCS8EncodedKeySpec(Files.readAllBytes(file)));
                return new CommandSigner(key, ec.generatePublic(new X509EncodedKeySpec(Files.readAllBytes(pub))));
            }
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), SecureRandom.getInstanceStrong());
            KeyPair pair = g.generateKeyPair();
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.write(tmp, pair.getPrivate().getEncoded());
            Files.write(pub, pair.getPublic().getEncoded());
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return new CommandSigner(pair.getPrivate(), pair.getPublic());
        } catch (GeneralSecurityException e) {
            throw new IOException("the command signing key in " + file + " cannot be read or made", e);
        }
    }

    /** The key pair as several nodes share it in the store (PKCS#8 and X.509, Base64). */
    record StoredKey(String privateKey, String publicKey) {}

    /**
     * The key of nodes that share a store: every node must sign with the same key, since a gateway verifies with
     * one public key whichever node sent the command. The first node to start keeps its key (from {@code file},
     * made there when absent) in the store (document {@code signing-key/commands}); the others use that one. The
     * store then holds the private key: guard it as the data it signs for.
     */
    public static CommandSigner shared(io.meterbase.core.store.DocumentStore store, Path file) throws IOException {
        java.util.Optional<String> stored = store.document(SHARED_KIND, SHARED_ID);
        if (stored.isEmpty()) {
            CommandSigner local = inFile(file);
            Base64.Encoder b64 = Base64.getEncoder();
            String json = io.meterbase.services.json.ControlJson.write(new StoredKey(
                    b64.encodeToString(local.privateKey.getEncoded()),
                    b64.encodeToString(local.publicKey.getEncoded())));
            stored = store.saveDocumentIfAbsent(SHARED_KIND, SHARED_ID, json);
            if (stored.isEmpty()) {
                return local;
            }
        }
        try {
            StoredKey k = io.meterbase.services.json.ControlJson.read(stored.get(), StoredKey.class);
            KeyFactory ec = KeyFactory.getInstance("EC");
            Base64.Decoder b64 = Base64.getDecoder();
            return new CommandSigner(
                    ec.generatePrivate(new PKCS8EncodedKeySpec(b64.decode(k.privateKey()))),
                    ec.generatePublic(new X509EncodedKeySpec(b64.decode(k.publicKey()))));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException("the command signing key in the store cannot be read", e);
        }
    }

    private static final String SHARED_KIND = "signing-key";
    private static final String SHARED_ID = "commands";

    /** A signer with a fresh key held in memory only (tests). */
    public static CommandSigner ephemeral() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = g.generateKeyPair();
            return new CommandSigner(pair.getPrivate(), pair.getPublic());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public String sign(String text) {
        return CommandSignature.sign(privateKey, text);
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    public String publicKeyPem() {
        return CommandSignature.pem(publicKey);
    }
}
