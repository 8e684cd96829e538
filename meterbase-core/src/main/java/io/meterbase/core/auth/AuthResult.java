package io.meterbase.core.auth;

/** The outcome of checking a presented key: who it authenticates, or why it was refused. */
public sealed interface AuthResult {

    /** The key is valid: it acts as {@code principal}. */
    record Accepted(Principal principal) implements AuthResult {}

    /** The key is missing, unknown or revoked ({@code revoked} says which refusals a new key would fix). */
    record Refused(String reason, boolean revoked) implements AuthResult {}

    static AuthResult accepted(Principal principal) {
        return new Accepted(principal);
    }

    static AuthResult refused(String reason) {
        return new Refused(reason, false);
    }

    static AuthResult revoked(String reason) {
        return new Refused(reason, true);
    }
}
