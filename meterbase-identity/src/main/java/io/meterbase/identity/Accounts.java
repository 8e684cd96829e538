package io.meterbase.identity;

import io.meterbase.core.auth.Principal;
import io.meterbase.core.model.KeyScope;
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
    /** Wrong passwords counted for usernames that have no account. */
    static final String UNKNOWN = "sign-in-failures";

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
            @Nullable Instant lockedUntil,
            @Nullable Instant lastFailure,
            @Nullable KeyScope scope) {

        Account withFailures(int count, @Nullable Instant until, @Nullable Instant at) {
            return new Account(username, role, customer, passwordHash, count, until, at, scope);
        }

        /** What a signed-in person may do: the account's scope (accounts made before scopes: full for the role). */
        public Principal principal() {
            Role r = "operator".equals(role) ? Role.OPERATOR : Role.CUSTOMER;
            return new Principal(r, r == Role.OPERATOR ? 0 : customer, 0, scope != null ? scope : KeyScope.of(r), null);
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
    public Account put(String username, String password, long customer) {
        return put(username, password, customer, null);
    }

    /**
     * Creates (or replaces) an account with a scope: for operators (customer 0) admin, operator or support; for
     * customers customer or read_only; null for the full scope of the role.
     */
    public synchronized Account put(String username, String password, long customer, @Nullable KeyScope scope) {
        if (scope != null && (scope.uploadsOnly() || (scope.role() == Role.OPERATOR) != (customer == 0))) {
            throw new IllegalArgumentException("scope: " + scope.key() + " is not a scope of "
                    + (customer == 0 ? "operator" : "customer") + " accounts (operators: admin, operator, support;"
                    + " customers: customer, read_only)");
        }
        String name = normalize(username);
        if (!name.matches("[a-z0-9._@-]{3,64}")) {
            throw new IllegalArgumentException(
                    "username: 3 to 64 of a-z, 0-9 and . _ @ - (case does not matter), was '" + username + "'");
        }
        if (password == null || password.length() < MIN_PASSWORD) {
            throw new IllegalArgumentException("password: at least " + MIN_PASSWORD + " characters");
        }
        Account a = new Account(
                name,
                customer == 0 ? "operator" : "customer",
                customer,
                Passwords.hash(password),
                0,
                null,
                null,
                scope);
        save(a);
        return a;
    }

    /**
     * Checks a password. The account is read from the store, not from this node's cache, and its count of wrong
     * passwords is changed only if no other node changed it meanwhile (read again and counted again otherwise), so
     * failures on several nodes at once all count and a lock made by another node holds here at once. Wrong
     * passwords for a username that has no account are counted and locked the same way (documents of kind
     * {@value #UNKNOWN}), so the answers do not tell which usernames exist.
     *
     * @throws io.meterbase.core.store.StoreException when the store cannot be asked
     */
    public SignIn signIn(String username, String password) {
        String name = normalize(username);
        if (name.isEmpty()) {
            return new SignIn.Refused("a username and a password are needed");
        }
        String kind = KIND;
        Optional<String> stored = store.document(KIND, name);
        if (stored.isEmpty()) {
            accounts.remove(name);
            kind = UNKNOWN;
            stored = store.document(UNKNOWN, name);
        }
        @Nullable
        Account a = stored.map(json -> IdentityJson.read(json, Account.class)).orElse(null);
        Instant now = clock.instant();
        if (a != null && a.lockedUntil() != null && now.isBefore(a.lockedUntil())) {
            return new SignIn.Locked("too many wrong passwords: locked", a.lockedUntil());
        }
        boolean right;
        if (a != null && kind.equals(KIND)) {
            // a missing password costs a check too: its answer comes as late as for a wrong one
            right = Passwords.verify(password == null ? "" : password, a.passwordHash()) && password != null;
        } else {
            // an unknown name costs a password check too, so that names cannot be probed by timing
            Passwords.verify(password == null ? "" : password, DUMMY);
            right = false;
        }
        for (int attempt = 0; ; attempt++) {
            Account base = a != null ? a : new Account(name, "unknown", 0, "", 0, null, null, null);
            Account next = right ? base.withFailures(0, null, null) : failedOnce(base, now);
            String json = IdentityJson.write(next);
            boolean written = stored.isEmpty()
                    ? store.saveDocumentIfAbsent(kind, name, json).isEmpty()
                    : next.equals(a) || store.compareAndReplace(kind, name, stored.get(), json);
            if (written) {
                if (kind.equals(KIND)) {
                    accounts.put(name, next);
                }
                return right
                        ? new SignIn.SignedIn(next.principal())
                        : next.lockedUntil() == null
                                ? new SignIn.Refused("wrong username or password")
                                : new SignIn.Locked("too many wrong passwords: locked", next.lockedUntil());
            }
            // another node counted a failure (or reset the count) meanwhile: count again on what it stored
            Optional<String> again = store.document(kind, name);
            if (attempt >= 20 || (kind.equals(KIND) && again.isEmpty())) {
                return new SignIn.Refused("wrong username or password");
            }
            @Nullable
            Account changed =
                    again.map(j -> IdentityJson.read(j, Account.class)).orElse(null);
            if (kind.equals(KIND)
                    && changed != null
                    && a != null
                    && !changed.passwordHash().equals(a.passwordHash())) {
                return new SignIn.Refused("wrong username or password"); // the password was changed meanwhile
            }
            stored = again;
            a = changed;
        }
    }

    /**
     * Forgets the wrong passwords counted for usernames without an account once they are a day old and no lock
     * holds (run with the session pruning, on one node).
     */
    public void pruneUnknown() {
        Instant now = clock.instant();
        store.documents(UNKNOWN).forEach((id, json) -> {
            Account f;
            try {
                f = IdentityJson.read(json, Account.class);
            } catch (IllegalArgumentException e) {
                store.deleteDocument(UNKNOWN, id);
                return;
            }
            Instant last = f.lastFailure();
            boolean locked = f.lockedUntil() != null && now.isBefore(f.lockedUntil());
            if (!locked && (last == null || last.plus(Duration.ofDays(1)).isBefore(now))) {
                store.deleteDocument(UNKNOWN, id);
            }
        });
    }

    /** The account after one more wrong password: locked from the fifth, twice as long each time. */
    private static Account failedOnce(Account a, Instant now) {
        int failures = a.failures() + 1;
        Instant locked = null;
        if (failures >= FREE_FAILURES) {
            long seconds = FIRST_LOCK.toSeconds() << Math.min(10, failures - FREE_FAILURES);
            locked = now.plusSeconds(Math.min(seconds, LONGEST_LOCK.toSeconds()));
        }
        return a.withFailures(failures, locked, now);
    }

    /** Whether any operator account exists (once one does, first-run setup is over). */
    public boolean hasOperatorAccount() {
        return accounts.values().stream().anyMatch(a -> a.customer() == 0);
    }

    /**
     * The first operator account (an admin), made by first-run setup.
     *
     * @throws IllegalStateException when an operator account exists already
     * @throws IllegalArgumentException when the username or password is not acceptable
     */
    public synchronized Account putFirstOperator(String username, String password) {
        if (hasOperatorAccount()) {
            throw new IllegalStateException("the installation is set up already: sign in, or ask an admin");
        }
        return put(username, password, 0, KeyScope.ADMIN);
    }

    /**
     * Changes the password of an account whose current password is given. The current password is checked as a
     * sign-in is (wrong ones count towards the lock, a locked account is refused), so this is no way around the
     * lock. The account keeps its role, customer and scope; its sessions are the caller's to end.
     *
     * @return {@link SignIn.SignedIn} when changed, otherwise why not
     * @throws IllegalArgumentException when the new password is not acceptable (nothing changed, nothing counted)
     */
    public SignIn changePassword(String username, String current, String next) {
        if (next == null || next.length() < MIN_PASSWORD) {
            throw new IllegalArgumentException("new_password: at least " + MIN_PASSWORD + " characters");
        }
        SignIn checked = signIn(username, current);
        if (!(checked instanceof SignIn.SignedIn)) {
            return checked;
        }
        String name = normalize(username);
        Optional<String> stored = store.document(KIND, name);
        if (stored.isEmpty()) {
            accounts.remove(name);
            return new SignIn.Refused("the account was removed");
        }
        Account a = IdentityJson.read(stored.get(), Account.class);
        if (!Passwords.verify(current, a.passwordHash())) {
            return new SignIn.Refused("the password was changed meanwhile"); // by another browser or node
        }
        Account changed =
                new Account(a.username(), a.role(), a.customer(), Passwords.hash(next), 0, null, null, a.scope());
        // only over what was checked: a change made meanwhile by another node (or browser) wins, this one is refused
        if (!store.compareAndReplace(KIND, name, stored.get(), IdentityJson.write(changed))) {
            return new SignIn.Refused("the account changed meanwhile: try again");
        }
        accounts.put(name, changed);
        return checked;
    }

    /** Every account, by username. */
    public java.util.List<Account> all() {
        return accounts.values().stream()
                .sorted(java.util.Comparator.comparing(Account::username))
                .toList();
    }

    /** Removes an account (its sessions are another matter: {@link Sessions#endAllOf}); false when there is none. */
    public synchronized boolean remove(String username) {
        String name = normalize(username);
        if (!accounts.containsKey(name) && store.document(KIND, name).isEmpty()) {
            return false;
        }
        store.deleteDocument(KIND, name);
        accounts.remove(name);
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
