package io.meterbase.core.energy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.meterbase.core.model.Accumulation;
import io.meterbase.core.model.Channel;
import io.meterbase.core.model.Quantity;
import org.junit.jupiter.api.Test;

class EnergyRulesTest {

    private final EnergyRules rules = new EnergyRules(15 * 60_000);
    private final Channel power = new Channel(1, 1, "active_power", Quantity.ACTIVE_POWER, Accumulation.INSTANT);
    private final Channel register = new Channel(2, 1, "energy", Quantity.ENERGY_IMPORT, Accumulation.CUMULATIVE);
    private final Channel interval = new Channel(3, 1, "energy_i", Quantity.ENERGY_IMPORT, Accumulation.INTERVAL);
    private final Channel voltage = new Channel(4, 1, "voltage", Quantity.VOLTAGE, Accumulation.INSTANT);

    @Test
    void power_isIntegratedByTrapezoid() {
        // 1000 W to 2000 W over 6 minutes = 1500 W * 0.1 h = 150 Wh
        assertThat(rules.between(power, 0, 1000, 360_000, 2000)).isEqualTo(150, within(1e-9));
    }

    @Test
    void power_overLongGap_countsNothing() {
        assertThat(rules.between(power, 0, 1000, 16 * 60_000, 1000)).isZero();
    }

    @Test
    void register_andInterval_andInstant() {
        assertThat(rules.between(register, 0, 500, 60_000, 510)).isEqualTo(10);
        assertThat(rules.first(register, 500)).isZero();
        assertThat(rules.between(interval, 0, 7, 60_000, 8)).isEqualTo(8);
        assertThat(rules.first(interval, 8)).isEqualTo(8);
        assertThat(rules.between(voltage, 0, 230, 1000, 231)).isNaN();
        assertThat(EnergyRules.hasConsumption(voltage)).isFalse();
    }
}
