package io.meterbase.formats.emoncms;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Names and meanings of emoncms inputs. Bulk posts carry values by position, so a node's positions are named by a
 * layout: configured per node, else the emonTx default ({@code power1..power4, vrms, temp1..temp6, pulse}).
 * A name gives quantity, unit and kind: {@code power*} W, {@code vrms}/{@code voltage*} V, {@code irms*}/
 * {@code current*} A, {@code temp*} °C, {@code humidity*} %RH, {@code pf*}, {@code freq*} Hz, {@code pulse*} /
 * {@code wh*} Wh register, {@code kwh*} kWh register; other names have none and are refused by validation with
 * their name.
 */
public final class EmoncmsInputs {

    /** The positions of an emonTx node as emonhub sends them. */
    public static final List<String> EMONTX = List.of(
            "power1", "power2", "power3", "power4", "vrms", "temp1", "temp2", "temp3", "temp4", "temp5", "temp6",
            "pulse");

    private final Map<String, List<String>> layouts;

    /** {@code layouts}: node id to the names of its positions, overriding the emonTx default. */
    public EmoncmsInputs(Map<String, List<String>> layouts) {
        this.layouts = Map.copyOf(layouts);
    }

    /** The name of position {@code index} (0-based) of a node's values. */
    public String name(String node, int index) {
        List<String> layout = layouts.getOrDefault(node, EMONTX);
        return index < layout.size() ? layout.get(index) : String.valueOf(index + 1);
    }

    /** Quantity key, unit and kind of an input name, or empty when the name tells none. */
    static Optional<String[]> meaning(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.startsWith("power") || n.equals("p") || n.startsWith("apower")) {
            return Optional.of(new String[] {"active_power", "W", null});
        }
        if (n.startsWith("vrms") || n.startsWith("voltage")) {
            return Optional.of(new String[] {"voltage", "V", null});
        }
        if (n.startsWith("irms") || n.startsWith("current")) {
            return Optional.of(new String[] {"current", "A", null});
        }
        if (n.startsWith("temp")) {
            return Optional.of(new String[] {"temperature", "Cel", null});
        }
        if (n.startsWith("humidity") || n.equals("rh")) {
            return Optional.of(new String[] {"humidity", "%RH", null});
        }
        if (n.startsWith("pf")) {
            return Optional.of(new String[] {"power_factor", "/", null});
        }
        if (n.startsWith("freq")) {
            return Optional.of(new String[] {"frequency", "Hz", null});
        }
        if (n.startsWith("kwh")) {
            return Optional.of(new String[] {"energy_import", "kWh", "register"});
        }
        if (n.startsWith("pulse") || n.startsWith("wh") || n.startsWith("e1") || n.startsWith("energy")) {
            return Optional.of(new String[] {"energy_import", "Wh", "register"});
        }
        return Optional.empty();
    }
}
