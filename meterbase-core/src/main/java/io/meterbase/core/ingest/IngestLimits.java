package io.meterbase.core.ingest;

import io.meterbase.core.store.SharedAllowances;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What each sender may send: readings per second per credential and per customer, new devices and gateways per
 * customer, and refused requests per address for senders that did not authenticate. All are keyed by what the
 * server knows of the sender (its credential, its customer, its address), never by names the sender chooses, so
 * a new gateway name per upload gets no new allowance. Thread-safe.
 */
public final class IngestLimits {

    /**
     * The limits; a rate of 0 turns that limit off.
     *
     * @param readingsPerCredential readings a second per credential (API key, device key)
     * @param credentialBurst readings a credential may send at once above its rate
     * @param readingsPerCustomer readings a second per customer, all its credentials together
     * @param customerBurst readings a customer may send at once above its rate
     * @param newDevicesPerMinute devices and gateways a customer may register a minute (also the burst)
     * @param refusalsPerMinute requests a minute from one address that fail to authenticate (also the burst)
     */
    public record Settings(
            double readingsPerCredential,
            double credentialBurst,
            double readingsPerCustomer,
            double customerBurst,
            int newDevicesPerMinute,
            int refusalsPerMinute) {

        /** Generous limits that a household, a building or a gateway of a few thousand meters never reaches. */
        public static Settings defaults() {
            return new Settings(20_000, 200_000, 50_000, 500_000, 30_000, 600);
        }

        /** No limits, for tools and tests. */
        public static Settings off() {
            return new Settings(0, 0, 0, 0, 0, 0);
        }
    }

    private final RateLimiter credentials;
    private final RateLimiter customers;
    private final RateLimiter registrations;
    private final RateLimiter anonymous;

    public IngestLimits(Settings s, Clock clock) {
        this.credentials = new RateLimiter(s.readingsPerCredential(), s.credentialBurst(), "readings", clock);
        this.customers = new RateLimiter(s.readingsPerCustomer(), s.customerBurst(), "readings", clock);
        this.registrations =
                new RateLimiter(s.newDevicesPerMinute() / 60.0, s.newDevicesPerMinute(), "new devices", clock);
        this.anonymous =
                new RateLimiter(s.refusalsPerMinute() / 60.0, s.refusalsPerMinute(), "unauthenticated requests", clock);
    }

    public static IngestLimits off(Clock clock) {
        return new IngestLimits(Settings.off(), clock);
    }

    public boolean enabled() {
        return credentials.enabled() || customers.enabled();
    }

    /**
     * Takes {@code readings} from the sender's credential and customer allowances.
     *
     * @throws RateLimitedException when either is used up; nothing is taken then
     */
    public void acquireReadings(Origin origin, int readings) {
        credentials.acquire(origin.credentialKey(), readings);
        try {
            customers.acquire(customerKey(origin.customerId()), readings);
        } catch (RateLimitedException e) {
            credentials.refund(origin.credentialKey(), readings);
            throw e;
        }
    }

    /** Takes {@code count} new devices or gateways from the customer's allowance; false when it is used up. */
    public boolean allowRegistrations(long customerId, int count) {
        try {
            registrations.acquire(customerKey(customerId), count);
            return true;
        } catch (RateLimitedException e) {
            return false;
        }
    }

    /**
     * Counts a request that failed to authenticate against its address.
     *
     * @throws RateLimitedException when the address has failed too often: it is refused without being read
     */
    public void admitUnauthenticated(Origin origin) {
        anonymous.acquire(origin.transport() + " " + origin.address(), 1);
    }

    private static String customerKey(long customerId) {
        return "customer " + customerId;
    }

    /** The limits by the names the operator sees. */
    private Map<String, RateLimiter> byName() {
        Map<String, RateLimiter> out = new LinkedHashMap<>();
        out.put("readings_per_credential", credentials);
        out.put("readings_per_customer", customers);
        out.put("new_devices_per_customer", registrations);
        out.put("unauthenticated_per_address", anonymous);
        return out;
    }

    /**
     * Tells the other nodes what was spent here since the last call and takes what they spent from the allowances
     * here, so that each limit holds for the nodes together (with {@link SharedAllowances#ALONE}, only forgets what
     * was spent here).
     *
     * @throws io.meterbase.core.store.StoreException when the store cannot be asked
     */
    public void share(SharedAllowances allowances) {
        Map<String, RateLimiter> limiters = byName();
        List<SharedAllowances.Spent> here = new ArrayList<>();
        limiters.forEach((name, limiter) ->
                limiter.drainSpent().forEach((key, amount) -> here.add(new SharedAllowances.Spent(name, key, amount))));
        for (SharedAllowances.Spent elsewhere : allowances.exchange(here)) {
            RateLimiter limiter = limiters.get(elsewhere.limit());
            if (limiter != null) {
                limiter.debit(elsewhere.key(), elsewhere.amount());
            }
        }
    }

    /** Refusals so far on this node, per limit and key, for the operator. */
    public Map<String, Map<String, Long>> refusedCounts() {
        Map<String, Map<String, Long>> out = new LinkedHashMap<>();
        byName().forEach((name, limiter) -> out.put(name, limiter.refusedCounts()));
        return out;
    }
}
