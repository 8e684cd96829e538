package io.meterbase.core.auth;

import java.util.Optional;

/** The outcome of checking a presented key: the principal, or why it was refused. */
public record AuthResult(Principal principal, String refusal) {

    public static AuthResult ok(Principal principal) {
        return new AuthResult(principal, null);
    }

    public static AuthResult refused(String reason) {
        return new AuthResult(null, reason);
    }

    public Optional<Principal> asOptional() {
        return Optional.ofNullable(principal);
    }
}
