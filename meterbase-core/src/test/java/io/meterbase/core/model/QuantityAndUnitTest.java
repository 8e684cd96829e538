package io.meterbase.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class QuantityAndUnitTest {

    @Test
    void convert_multiplesToCanonical() {
        assertThat(Unit.KWH.convert(1.5, Unit.WH)).isEqualTo(1500);
        assertThat(Unit.KW.convert(2.2, Unit.W)).isEqualTo(2200, within(1e-9));
        assertThat(Unit.CUBIC_METRE.convert(1.25, Unit.LITRE)).isEqualTo(1250, within(1e-9));
        assertThat(Unit.MA.convert(500, Unit.A)).isEqualTo(0.5, within(1e-12));
        assertThat(Unit.PERCENT.convert(95, Unit.RATIO)).isEqualTo(0.95, within(1e-12));
    }

    @Test
    void convert_temperatureWithOffsets() {
        assertThat(Unit.KELVIN.convert(273.15, Unit.CELSIUS)).isEqualTo(0, within(1e-9));
        assertThat(Unit.FAHRENHEIT.convert(212, Unit.CELSIUS)).isEqualTo(100, within(1e-9));
        assertThat(Unit.CELSIUS.convert(-40, Unit.FAHRENHEIT)).isEqualTo(-40, within(1e-9));
    }

    @Test
    void convert_acrossDimensions_isRefused() {
        assertThatThrownBy(() -> Unit.KWH.convert(1, Unit.W))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("target:");
    }

    @Test
    void unit_ofQuantity_acceptsOnlyItsDimension() {
        assertThat(Quantity.ENERGY_IMPORT.unit("kWh")).contains(Unit.KWH);
        assertThat(Quantity.VOLTAGE.unit("kWh")).isEmpty();
        assertThat(Quantity.WATER_VOLUME.unit("m3")).contains(Unit.CUBIC_METRE);
        assertThat(Quantity.GAS_VOLUME.unit("m³")).contains(Unit.CUBIC_METRE);
        assertThat(Quantity.RELATIVE_HUMIDITY.unit("%")).contains(Unit.PERCENT_RH);
        assertThat(Quantity.POWER_FACTOR.unit("%")).contains(Unit.PERCENT);
        assertThat(Quantity.TEMPERATURE.unit("°C")).contains(Unit.CELSIUS);
        assertThat(Quantity.ACTIVE_POWER.unit(null)).isEmpty();
    }

    @Test
    void quantity_byKey_andAccumulationRules() {
        assertThat(Quantity.ofKey("Active_Power")).contains(Quantity.ACTIVE_POWER);
        assertThat(Quantity.ofKey("watts")).isEmpty();
        assertThat(Quantity.WATER_VOLUME.allows(Accumulation.CUMULATIVE)).isTrue();
        assertThat(Quantity.VOLTAGE.allows(Accumulation.CUMULATIVE)).isFalse();
        assertThat(Quantity.ENERGY_IMPORT.defaultAccumulation()).isEqualTo(Accumulation.CUMULATIVE);
    }

    @Test
    void reading_refusesNonFiniteValuesAndBadChannels() {
        assertThatThrownBy(() -> new Reading(1, 0, Double.NaN)).hasMessageStartingWith("value:");
        assertThatThrownBy(() -> new Reading(1, 0, Double.POSITIVE_INFINITY)).hasMessageStartingWith("value:");
        assertThatThrownBy(() -> new Reading(0, 0, 1)).hasMessageStartingWith("channelId:");
    }

    @Test
    void channel_refusesRegisterOfAnInstantQuantity() {
        assertThatThrownBy(() -> new Channel(1, 1, "v", Quantity.VOLTAGE, Accumulation.CUMULATIVE))
                .hasMessageStartingWith("accumulation:");
    }

    @Test
    void apiKey_ofCustomerNeedsCustomer() {
        assertThatThrownBy(() -> new ApiKey(1, 0, Role.CUSTOMER, "", "p", "h", java.time.Instant.EPOCH, null))
                .hasMessageStartingWith("customerId:");
    }
}
