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
