package io.meterbase.core.api.command;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** Commands to devices: made, offered, answered, and the relay states they leave. */
public interface CommandsApi {

    /** A command to make; {@code params}, {@code ttl} and {@code notBefore} may be null. */
    record Request(
            long customerId,
            String deviceRef,
            CommandType type,
            @Nullable Map<String, Object> params,
            String origin,
            @Nullable Duration ttl,
            @Nullable Instant notBefore) {}

    /** Stores a new command and offers it at once when it is due. */
    Command submit(Request request);

    Optional<Command> get(long customerId, String id);

    /** A customer's newest commands, of one device or (null) all. */
    List<Command> list(long customerId, @Nullable String deviceRef, int limit);

    /** A device's (or its gateway's) answer to a command. */
    Optional<Command> report(
            long customerId, String id, CommandStatus status, @Nullable String detail, @Nullable Boolean relayOn);

    /** The last known state of a device's relay. */
    Optional<RelayState> relay(long customerId, String deviceRef);

    /** The public key (PEM) that signed commands are verified with. */
    String publicKeyPem();
}
