package io.meterbase.core.energy;

import static org.assertj.core.api.Assertions.assertThat;

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
    void power_isIntegratedOverGapsUpToTheLimit_only() {
        assertThat(rules.integrates(15 * 60_000)).isTrue();
        assertThat(rules.integrates(15 * 60_000 + 1)).isFalse();
        assertThat(rules.integrates(0)).isFalse();
    }

    @Test
    void register_stepsAreTheDifference_andChannelsWithoutConsumptionAreKnown() {
        assertThat(rules.counterStep(register, 0, 500, 60_000, 510).delta()).isEqualTo(10);
        assertThat(EnergyRules.hasConsumption(power)).isTrue();
        assertThat(EnergyRules.hasConsumption(interval)).isTrue();
        assertThat(EnergyRules.hasConsumption(register)).isTrue();
        assertThat(EnergyRules.hasConsumption(voltage)).isFalse();
    }
}
