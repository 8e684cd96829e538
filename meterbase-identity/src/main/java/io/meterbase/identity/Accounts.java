package io.meterbase.identity;

import io.meterbase.core.auth.Principal;
import io.meterbase.core.model.Role;
import io.meterbase.core.store.DocumentStore;
import io.meterbase.core.store.StoreChanges;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Sign-in accounts of people (customers and operators), kept as documents (kind {@code account}) with Argon2id
 * password hashes. After {@link #FREE_FAILURES} wrong passwords in a row an account is locked, for 30 s and then
 * twice as long after each further failure (at most 15 min); a right password resets the count.
 */
public final class Accounts {

    public static final String KIND = "account";
    public static final int FREE_FAILURES = 5;
    public static final int MIN_PASSWORD = 10;
    private static final Duration FIRST_LOCK = Duration.ofSeconds(30);
    private static final Duration LONGEST_LOCK = Duration.ofMinutes(15);

    /** A stored account. {@code customer} is 0 for operators. */
    public record Account(
            String username,
            String role,
            long customer,
            String passwordHash,
            int failures,
            @Nullable Instant lockedUntil) {

        Account withFailures(int count, @Nullable Instant until) {
            return new Account(username, role, customer, passwordHash, count, until);
        }

        public Principal principal() {
            return new Principal(
                    "operator".equals(role) ? Role.OPERATOR : Role.CUSTOMER, "operator".equals(role) ? 0 : customer, 0);
        }
    }

    /** The outcome of a sign-in: the principal, or why not, or until when the account is locked. */
    public sealed interface SignIn {
        record SignedIn(Principal principal) implements SignIn {}

        record Refused(String reason) implements SignIn {}

        record Locked(String reason, Instant until) implements SignIn {}
    }

    private final DocumentStore store;
    private final Clock clock;
    private final Map<String, Account> accounts = new ConcurrentHashMap<>();

    public Accounts(DocumentStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
        store.documents(KIND).forEach((id, json) -> accounts.put(id, IdentityJson.read(json, Account.class)));
    }

    /**
     * Takes in the accounts other nodes sharing the store wrote or deleted (read again by id); reads all again when
     * the store's change feed may have missed changes.
     */
    public void refresh(StoreChanges changes) {
        if (changes.missed()) {
            Map<String, String> all = store.documents(KIND);
            accounts.keySet().retainAll(all.keySet());
            all.forEach((id, json) -> accounts.put(id, IdentityJson.read(json, Account.class)));
            return;
        }
        for (String id : changes.documentIds(KIND)) {
            store.document(KIND, id)
                    .ifPresentOrElse(
                            json -> accounts.put(id, IdentityJson.read(json, Account.class)),
                            () -> accounts.remove(id));
        }
    }

    /** Creates (or replaces the password of) an account; {@code customer} 0 makes an operator. */
    public synchronized Account put(String username, String password, long customer) {
        String name = normalize(username);
        if (!name.matches("[a-z0-9._@-]{3,64}")) {
            throw new IllegalArgumentException(
                    "username: 3 to 64 of a-z, 0-9 and . _ @ - (case does not matter), was '" + username + "'");
        }
        if (password == null || password.length() < MIN_PASSWORD) {
            throw new IllegalArgumentException("password: at least " + MIN_PASSWORD + " characters");
        }
        Account a =
                new Account(name, customer == 0 ? "operator" : "customer", customer, Passwords.hash(password), 0, null);
        save(a);
        return a;
    }

    /**
     * Checks a password. The account is read from the store, not from this node's cache, and its count of wrong
     * passwords is changed only if no other node changed it meanwhile (read again and counted again otherwise), so
     * failures on several nodes at once all count and a lock made by another node holds here at once.
     *
     * @throws io.meterbase.core.store.StoreException when the store cannot be asked
     */
    public SignIn signIn(String username, String password) {
        String name = normalize(username);
        Optional<String> stored = store.document(KIND, name);
        if (stored.isEmpty()) {
            accounts.remove(name);
            // as slow as a wrong password, so that names cannot be probed by timing
            Passwords.verify(password == null ? "" : password, DUMMY);
            return new SignIn.Refused("wrong username or password");
        }
        Account a = IdentityJson.read(stored.get(), Account.class);
        Instant now = clock.instant();
        if (a.lockedUntil() != null && now.isBefore(a.lockedUntil())) {
            return new SignIn.Locked("too many wrong passwords: locked", a.lockedUntil());
        }
        boolean right = password != null && Passwords.verify(password, a.passwordHash());
        for (int attempt = 0; ; attempt++) {
            Account next = right ? a.withFailures(0, null) : failedOnce(a, now);
            if (next.equals(a) || replace(stored.get(), next)) {
                return right
                        ? new SignIn.SignedIn(next.principal())
                        : next.lockedUntil() == null
                                ? new SignIn.Refused("wrong username or password")
                                : new SignIn.Locked("too many wrong passwords: locked", next.lockedUntil());
            }
            // another node counted a failure (or reset the count) meanwhile: count again on what it stored
            stored = store.document(KIND, name);
            if (stored.isEmpty() || attempt >= 20) {
                return new SignIn.Refused("wrong username or password");
            }
            Account changed = IdentityJson.read(stored.get(), Account.class);
            if (!changed.passwordHash().equals(a.passwordHash())) {
                return new SignIn.Refused("wrong username or password"); // the password was changed meanwhile
            }
            a = changed;
        }
    }

    /** The account after one more wrong password: locked from the fifth, twice as long each time. */
    private static Account failedOnce(Account a, Instant now) {
        int failures = a.failures() + 1;
        Instant locked = null;
        if (failures >= FREE_FAILURES) {
            long seconds = FIRST_LOCK.toSeconds() << Math.min(10, failures - FREE_FAILURES);
            locked = now.plusSeconds(Math.min(seconds, LONGEST_LOCK.toSeconds()));
        }
        return a.withFailures(failures, locked);
    }

    /** Replaces the stored account if it is still {@code expected}. */
    private boolean replace(String expected, Account next) {
        if (!store.compareAndReplace(KIND, next.username(), expected, IdentityJson.write(next))) {
            return false;
        }
        accounts.put(next.username(), next);
        return true;
    }

    public Optional<Account> get(String username) {
        return Optional.ofNullable(accounts.get(normalize(username)));
    }

    private void save(Account a) {
        store.saveDocument(KIND, a.username(), IdentityJson.write(a));
        accounts.put(a.username(), a);
    }

    private static String normalize(String username) {
        return username == null ? "" : username.trim().toLowerCase(Locale.ROOT);
    }

    private static final String DUMMY = Passwords.hash("not a password of anyone");
}
