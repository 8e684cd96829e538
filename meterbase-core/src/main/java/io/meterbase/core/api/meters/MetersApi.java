package io.meterbase.core.api.meters;

import io.meterbase.core.query.Commodity;
import io.meterbase.core.query.ConsumptionService.Interval;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Meters in hierarchies: a customer's sub-meters under their main meter (building, floor, tenant, appliance) and
 * what the main meter measured that none of them did ("untracked"); virtual meters, the sum or difference of other
 * meters; and the balance of a district or feeder (a supply meter against the meters behind it: losses, or
 * non-revenue water). All are computed from the rollups when asked, so late data changes them as it changes the
 * rollups. Kept in the store, shared by the nodes.
 */
public interface MetersApi {

    /** Puts {@code child} (a device reference of the customer) under {@code parent}; a null parent takes it out. */
    void setParent(long customerId, String child, @Nullable String parent);

    /** Each sub-meter's parent, by device reference. */
    Map<String, String> parents(long customerId);

    /**
     * A meter and its sub-meters per period: what the meter measured, what each sub-meter did, their sum and the
     * untracked rest. Where the sub-meters measured more than the meter (a wrong wiring, a meter's clock, a missing
     * reading) the rest is not made negative: it is reported as {@code untracked} null with {@code excess}.
     */
    List<TreePoint> tree(long customerId, String meter, Commodity commodity, Interval interval, long from, long to);

    /** One period of a meter and its sub-meters; amounts in the commodity's unit. */
    record TreePoint(
            long periodStart,
            double meter,
            Map<String, Double> subMeters,
            double subMetered,
            @Nullable Double untracked,
            @Nullable Double excess,
            boolean estimated) {}

    /**
     * A virtual meter: the sum of {@code plus} less the sum of {@code minus} (device references of the customer).
     */
    record VirtualMeter(String id, String name, Commodity commodity, List<String> plus, List<String> minus) {

        public VirtualMeter {
            if (id == null || !id.matches("[a-z0-9][a-z0-9._-]{0,63}")) {
                throw new IllegalArgumentException("id: 1-64 of a-z, 0-9 and . _ - (starting with a letter or digit)");
            }
            name = name == null || name.isBlank() ? id : name;
            commodity = commodity == null ? Commodity.ELECTRICITY : commodity;
            plus = plus == null ? List.of() : List.copyOf(plus);
            minus = minus == null ? List.of() : List.copyOf(minus);
            if (plus.isEmpty()) {
                throw new IllegalArgumentException("plus: at least one meter to add");
            }
        }
    }

    VirtualMeter putVirtualMeter(long customerId, VirtualMeter meter);

    List<VirtualMeter> virtualMeters(long customerId);

    boolean removeVirtualMeter(long customerId, String id);

    /** A virtual meter's amount per period (it may be negative: it is a difference). */
    List<Amount> virtualMeter(long customerId, String id, Interval interval, long from, long to);

    record Amount(long periodStart, double amount, boolean estimated) {}

    /**
     * How a district or feeder is balanced: the community, the supply meter (a customer and device reference), the
     * commodity, and the losses (in percent of the supply, per day) above which an alarm is raised.
     */
    record BalanceSettings(
            String community,
            long supplyCustomer,
            String supplyDevice,
            Commodity commodity,
            @Nullable BigDecimal alarmAbovePercent) {

        public BalanceSettings {
            if (community == null || community.isBlank()) {
                throw new IllegalArgumentException("community: the district or feeder balanced");
            }
            if (supplyDevice == null || supplyDevice.isBlank()) {
                throw new IllegalArgumentException("supply_device: the meter that measures what goes in");
            }
            commodity = commodity == null ? Commodity.ELECTRICITY : commodity;
        }
    }

    BalanceSettings putBalance(BalanceSettings settings);

    Optional<BalanceSettings> balanceSettings(String community);

    /** Every district's or feeder's balance settings, by community. */
    List<BalanceSettings> balances();

    /**
     * The district's balance per day (the supply's site's days): supply, metered (the customers' meters behind it),
     * losses and their percent of the supply; {@code missing} meters had no complete day (their day is not counted,
     * and the day is not complete: its losses are not trusted).
     */
    List<BalanceDay> balance(String community, long from, long to);

    record BalanceDay(
            long dayStart,
            double supply,
            double metered,
            double losses,
            @Nullable Double lossesPercent,
            int meters,
            List<String> missing,
            boolean complete) {}

    /** Checks the balances of the last complete days and raises (or clears) their alarms; for one node at a time. */
    void checkBalances();
}
