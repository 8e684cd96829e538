package io.meterbase.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterbase.core.auth.Principal;
import io.meterbase.core.model.Role;
import io.meterbase.core.store.DocumentStore;
import io.meterbase.core.store.StoreChanges;
import io.meterbase.core.store.memory.MemoryStore;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Accounts and grants of two nodes on one store: a node takes in what the other wrote when the store names the
 * documents that changed, and reads all again when the store may have missed changes.
 */
class CachesAcrossNodesTest {

    private final DocumentStore shared = MemoryStore.open().documents();
    private final Clock clock = Clock.systemUTC();

    @Test
    void anAccountMadeOnOneNode_isKnownOnTheOther_onceTheStoreNamesIt() {
        Accounts one = new Accounts(shared, clock);
        Accounts two = new Accounts(shared, clock);

        one.put("ann@example.org", "correct horse battery", 7);
        assertThat(two.get("ann@example.org")).isEmpty();

        two.refresh(new StoreChanges(Map.of(), Set.of("account/ann@example.org"), false));
        assertThat(two.get("ann@example.org"))
                .hasValueSatisfying(a -> assertThat(a.customer()).isEqualTo(7));
        assertThat(two.signIn("ann@example.org", "correct horse battery")).isInstanceOf(Accounts.SignIn.SignedIn.class);
    }

    @Test
    void wrongPasswordsOnTwoNodes_allCount_andALockMadeOnOneHoldsOnTheOtherAtOnce() {
        Accounts one = new Accounts(shared, clock);
        one.put("bob@example.org", "correct horse battery", 7);
        Accounts two = new Accounts(shared, clock);

        // WHEN four wrong passwords reach node 1, and node 2 has not heard of them yet
        for (int i = 0; i < Accounts.FREE_FAILURES - 1; i++) {
            assertThat(one.signIn("bob@example.org", "wrong " + i)).isInstanceOf(Accounts.SignIn.Refused.class);
        }
        assertThat(two.get("bob@example.org"))
                .hasValueSatisfying(a -> assertThat(a.failures()).isZero());

        // THEN the fifth, on node 2, locks the account, and the lock holds on node 1 even for the right password
        assertThat(two.signIn("bob@example.org", "wrong 4")).isInstanceOf(Accounts.SignIn.Locked.class);
        assertThat(one.signIn("bob@example.org", "correct horse battery")).isInstanceOf(Accounts.SignIn.Locked.class);
    }

    @Test
    void aSessionStartedOnOneNode_isAcceptedOnTheOther_untilItEndsOnEither() {
        Sessions one = new Sessions(shared, clock);
        Sessions two = new Sessions(shared, clock);
        Sessions.Session s = one.start(new Principal(Role.CUSTOMER, 7, 0), "ann@example.org");

        assertThat(two.use(s.id())).hasValueSatisfying(seen -> {
            assertThat(seen.csrf()).isEqualTo(s.csrf());
            assertThat(seen.principal()).isEqualTo(s.principal());
        });
        assertThat(shared.documents("session").keySet()).doesNotContain(s.id()); // the cookie is not in the store

        one.end(s.id());
        two.refresh(new StoreChanges(Map.of(), Set.of("session/" + Sessions.hash(s.id())), false));
        assertThat(two.use(s.id())).isEmpty();
        assertThat(new Sessions(shared, clock).use(s.id())).isEmpty();
    }

    @Test
    void aGrantRevokedOnOneNode_isRevokedOnTheOther_andEverythingIsReadAgainAfterAMiss() {
        Grants one = new Grants(shared, clock);
        Grants.Created created = one.create(7, "heat-pump app", List.of("meter"), List.of("power"), null, null, false);
        Grants two = new Grants(shared, clock);
        assertThat(two.byToken(created.token()))
                .hasValueSatisfying(g -> assertThat(g.revoked()).isFalse());

        one.revoke(created.grant().id());
        two.refresh(new StoreChanges(Map.of(), Set.of("grant/" + created.grant().id()), false));
        assertThat(two.byToken(created.token()))
                .hasValueSatisfying(g -> assertThat(g.revoked()).isTrue());

        Grants.Created later = one.create(7, "dashboard", List.of("meter"), List.of("energy"), null, null, true);
        two.refresh(StoreChanges.everything());
        assertThat(two.byToken(later.token())).isPresent();
    }
}
