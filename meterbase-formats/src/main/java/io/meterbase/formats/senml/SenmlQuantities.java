package io.meterbase.formats.senml;

import io.meterbase.core.model.Quantity;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Which quantity a SenML record carries: from its name when the name says (e.g. {@code voltage},
 * {@code voltage_l2}, {@code power}, {@code energy}), otherwise from its SenML unit ({@code W}, {@code Wh},
 * {@code Cel}, {@code %RH}, ...). Units without a Meterbase quantity (position, battery level) give none. Energy
 * whose name says it went out ({@code energy_export}, {@code export}, {@code e_returned}, {@code feed_in},
 * {@code energy_out}) is {@code energy_export}; {@code soc} is a battery's state of charge.
 */
final class SenmlQuantities {

    private static final Map<String, Quantity> NAMES = Map.ofEntries(
            Map.entry("power", Quantity.ACTIVE_POWER),
            Map.entry("p", Quantity.ACTIVE_POWER),
            Map.entry("energy", Quantity.ENERGY_IMPORT),
            Map.entry("e", Quantity.ENERGY_IMPORT),
            Map.entry("export", Quantity.ENERGY_EXPORT),
            Map.entry("soc", Quantity.STATE_OF_CHARGE),
            Map.entry("pf", Quantity.POWER_FACTOR),
            Map.entry("factor", Quantity.POWER_FACTOR),
            Map.entry("freq", Quantity.FREQUENCY),
            Map.entry("temp", Quantity.TEMPERATURE),
            Map.entry("light", Quantity.ILLUMINANCE),
            Map.entry("gas", Quantity.GAS_CONCENTRATION),
            Map.entry("water", Quantity.WATER_VOLUME),
            Map.entry("heat", Quantity.HEAT_ENERGY),
            Map.entry("cooling", Quantity.COOLING_ENERGY));

    private static final Map<String, Quantity> UNITS = Map.ofEntries(
            Map.entry("W", Quantity.ACTIVE_POWER),
            Map.entry("kW", Quantity.ACTIVE_POWER),
            Map.entry("VA", Quantity.APPARENT_POWER),
            Map.entry("var", Quantity.REACTIVE_POWER),
            Map.entry("Wh", Quantity.ENERGY_IMPORT),
            Map.entry("kWh", Quantity.ENERGY_IMPORT),
            Map.entry("J", Quantity.ENERGY_IMPORT),
            Map.entry("V", Quantity.VOLTAGE),
            Map.entry("A", Quantity.CURRENT),
            Map.entry("Hz", Quantity.FREQUENCY),
            Map.entry("Cel", Quantity.TEMPERATURE),
            Map.entry("K", Quantity.TEMPERATURE),
            Map.entry("%RH", Quantity.RELATIVE_HUMIDITY),
            Map.entry("lx", Quantity.ILLUMINANCE),
            Map.entry("ppm", Quantity.GAS_CONCENTRATION),
            Map.entry("l", Quantity.WATER_VOLUME),
            Map.entry("m3", Quantity.WATER_VOLUME));

    private SenmlQuantities() {}

    static Optional<Quantity> of(@Nullable String name, @Nullable String unit) {
        Optional<Quantity> q = named(name, unit);
        // energy that went out (exported, returned, fed in) is an export register whatever its name starts with
        if (q.isPresent()
                && q.get() == Quantity.ENERGY_IMPORT
                && name != null
                && OUT.matcher(name).find()) {
            return Optional.of(Quantity.ENERGY_EXPORT);
        }
        return q;
    }

    private static final java.util.regex.Pattern OUT =
            java.util.regex.Pattern.compile("(?i)export|return|feed|(^|[_\\-])out($|[_\\-])");

    private static Optional<Quantity> named(@Nullable String name, @Nullable String unit) {
        if (name != null && !name.isEmpty()) {
            String lower = name.toLowerCase(Locale.ROOT);
            Optional<Quantity> byName = Quantity.ofKey(lower).or(() -> Optional.ofNullable(NAMES.get(lower)));
            int sep = lower.indexOf('_');
            if (byName.isEmpty() && sep > 0) {
                String head = lower.substring(0, sep);
                byName = Quantity.ofKey(head).or(() -> Optional.ofNullable(NAMES.get(head)));
            }
            if (byName.isPresent() && (unit == null || byName.get().unit(unit).isPresent())) {
                return byName;
            }
            if (lower.contains("gas") && "m3".equals(unit)) {
                return Optional.of(Quantity.GAS_VOLUME);
            }
        }
        return unit == null ? Optional.empty() : Optional.ofNullable(UNITS.get(unit));
    }
}
